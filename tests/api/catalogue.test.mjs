// catalogue.test.mjs — the catalogue as the public and the staff use it:
// browsing by region (a place sees its own and its ancestors' items),
// search on the demo catalogue and on the real 广安区 extract, the life
// cycle over HTTP with the lint refusing publication, immutability of a
// published version, comments, imports that name the bad row, exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SHARED, startServer, api, cli, login, expectError } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0, srv.log().slice(-3000)); });

const ANCESTORS_OF_QINGSHAN = ['341524100001', '341524100000', '341524000000', '341500000000', '340000000000'];

async function browse(query) {
  const r = await api(srv, 'GET', `/api/v1/items?${new URLSearchParams(query)}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('a village sees its own, its township\'s, county\'s and city\'s items, and no other county\'s', async () => {
  const all = [];
  let after = null;
  do {
    const page = await browse({ region: '341524100001', limit: '50', ...(after ? { after } : {}) });
    all.push(...page.items);
    after = page.next_after;
  } while (after);
  assert.ok(all.length >= 20, `only ${all.length} items`);
  for (const it of all) assert.ok(ANCESTORS_OF_QINGSHAN.includes(it.region), `${it.name} of ${it.region}`);
  const levels = new Set(all.map((it) => it.region));
  for (const r of ['341524100001', '341524100000', '341524000000', '341500000000']) {
    assert.ok(levels.has(r), `no item of ${r}`);
  }
  // The neighbouring township 麻埠镇 sees the county and city, not 梅山镇.
  const mabu = await browse({ region: '341524101000', limit: '200' });
  assert.ok(mabu.items.length > 0);
  for (const it of mabu.items) assert.ok(!it.region.startsWith('341524100'), it.name);
  // Filters.
  const elderly = await browse({ region: '341524100001', theme: 'elderly', limit: '200' });
  assert.ok(elderly.items.length > 0);
  for (const it of elderly.items) assert.ok(it.themes.includes('elderly'));
  const zero = await browse({ max_visits: '0', limit: '200' });
  for (const it of zero.items) assert.equal(it.visits, 0);
  const bad = await api(srv, 'GET', '/api/v1/items?theme=parking');
  expectError(assert, bad, 422, 'invalid', 'theme');
});

test('search on the demo catalogue: 低保, 社保卡, 养老 find the right items first', async () => {
  const cases = [
    ['低保', /最低生活保障/],
    ['社保卡', /社会保障卡/],
    ['养老', /养老/],
  ];
  for (const [q, want] of cases) {
    const r = await browse({ q, region: '341524100001', limit: '5' });
    assert.ok(r.items.length > 0, `no result for ${q}`);
    assert.match(r.items[0].name, want, `${q}: first is ${r.items[0].name}`);
    assert.equal(r.items[0].tier, 3);
    for (const it of r.items) assert.ok(ANCESTORS_OF_QINGSHAN.includes(it.region));
  }
});

test('an item as the public reads it: base fields merged with the published guide', async () => {
  const r = await browse({ q: '低保', limit: '1' });
  const it = await api(srv, 'GET', `/api/v1/items/${r.items[0].id}`);
  assert.equal(it.status, 200);
  assert.equal(it.json.current.state, 'published');
  assert.ok(it.json.legal_basis.length > 0);
  assert.ok(it.json.guide.materials.length > 0);
  assert.equal(it.json.lint.errors, 0);
  assert.match(it.json.code, /^[0-9A-Z-]+-\d{12}-000-[0-9A-Z]{18}-\d+-\d{2,}$/);
  const none = await api(srv, 'GET', '/api/v1/items/999999');
  expectError(assert, none, 404, 'not_found');
});

test('life cycle over HTTP: the lint refuses publication, a published version is frozen', async () => {
  const editor = await login(srv, 'city_editor');
  const legal = await login(srv, 'city_legal');
  const orgs = await api(srv, 'GET', `/api/v1/orgs?q=${encodeURIComponent('金寨县民政局')}`);
  const org = orgs.json.items[0].id;
  const base = await api(srv, 'POST', '/api/v1/base-items', {
    token: editor,
    body: {
      code: 'BM3415-9001', name: '困难群众临时生活补助', type: 'benefit', themes: ['social_security'],
      audience: ['natural'], supply: 'requested', legal_basis: [{ law: '社会救助暂行办法', article: '第四十七条' }],
      levels: [3], aliases: ['临时补助'], region: '341500000000',
    },
  });
  assert.equal(base.status, 201, base.text);
  const guide = {
    accepting_unit: '金寨县民政局', conditions: ['因突发困难导致基本生活暂时出现困难的家庭'],
    steps: [{ name: '受理', limit_days: 1, role: 'clerk' }, { name: '审批', limit_days: 5, role: 'decider' }],
    materials: [{ name: '居民身份证', need: 'required', source: 'licence', form: 'electronic', copies: 1 }],
    fee: { charged: false }, legal_limit_days: 30, committed_limit_days: 31, kind: 'committed',
    modes: ['window', 'online'], visits: 1, consult: ['0564-7022301'], complaint: ['12345'],
    address: '金寨县政务服务中心二楼民政窗口', hours: '周一至周五', result: { name: '补助决定书' }, outside_centre: null,
  };
  const created = await api(srv, 'POST', '/api/v1/items', { token: editor, body: { base: 'BM3415-9001', org_id: org, guide } });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  assert.match(created.json.code, /^BM3415-9001-341524000000-000-11341524000001111G-1-00$/);
  // Not public while a draft.
  expectError(assert, await api(srv, 'GET', `/api/v1/items/${id}`), 404, 'not_found');
  // The editor cannot approve: the route needs catalogue_review.
  expectError(assert, await api(srv, 'POST', `/api/v1/items/${id}/approve`, { token: editor, body: {} }), 403, 'forbidden');
  assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/submit`, { token: editor, body: {} })).status, 200);
  assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/approve`, { token: legal, body: {} })).status, 200);
  // Anyone comments in the comment period.
  const c = await api(srv, 'POST', `/api/v1/items/${id}/comments`, { body: { text: '建议写明可以委托代办', name: '一位村民' } });
  assert.equal(c.status, 201, c.text);
  const rep = await api(srv, 'POST', `/api/v1/comments/${c.json.id}/reply`, { token: editor, body: { reply: '已补充代办方式' } });
  assert.equal(rep.status, 200, rep.text);
  // 31 promised working days > 30 by law: refused with every finding.
  const refused = await api(srv, 'POST', `/api/v1/items/${id}/publish`, { token: legal, body: {} });
  expectError(assert, refused, 422, 'invalid', '/guide/committed_limit_days');
  assert.ok(refused.json.error.lint.findings.some((f) => f.code === 'committed_over_legal'));
  // Back to draft with a reason, fixed, through review again, published.
  expectError(assert, await api(srv, 'POST', `/api/v1/items/${id}/reject`, { token: legal, body: {} }), 422, 'invalid', '/reason');
  assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/reject`, { token: legal, body: { reason: '承诺时限超过法定时限' } })).status, 200);
  const fixed = await api(srv, 'PUT', `/api/v1/items/${id}/draft`, { token: editor, body: { guide: { ...guide, committed_limit_days: 10 } } });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.json.lint.errors, 0);
  for (const [step, tok] of [['submit', editor], ['approve', legal], ['publish', legal]]) {
    const r = await api(srv, 'POST', `/api/v1/items/${id}/${step}`, { token: tok, body: {} });
    assert.equal(r.status, 200, `${step}: ${r.text}`);
  }
  const pub = await api(srv, 'GET', `/api/v1/items/${id}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.json.current.state, 'published');
  // Frozen: no edit by any route.
  expectError(assert, await api(srv, 'PUT', `/api/v1/items/${id}/draft`, { token: editor, body: { guide } }), 409, 'conflict');
  // A new version, changed, published: the old one is superseded and readable.
  assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/new-version`, { token: editor, body: {} })).status, 200);
  assert.equal((await api(srv, 'PUT', `/api/v1/items/${id}/draft`, { token: editor, body: { guide: { ...guide, committed_limit_days: 7 } } })).status, 200);
  for (const [step, tok] of [['submit', editor], ['approve', legal], ['publish', legal]]) {
    assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/${step}`, { token: tok, body: {} })).status, 200);
  }
  const versions = await api(srv, 'GET', `/api/v1/items/${id}/versions`);
  assert.deepEqual(versions.json.versions.map((v) => v.state), ['superseded', 'published']);
  const v1 = await api(srv, 'GET', `/api/v1/items/${id}/versions/1`);
  assert.equal(v1.json.guide.committed_limit_days, 10);
  const diff = await api(srv, 'GET', `/api/v1/items/${id}/diff?from=1&to=2`);
  assert.deepEqual(diff.json.changes, [{ path: '/committed_limit_days', old: 10, new: 7 }]);
  const events = await api(srv, 'GET', `/api/v1/items/${id}/events`, { token: legal });
  assert.equal(events.status, 200);
  assert.ok(events.json.events.some((e) => e.reason === '承诺时限超过法定时限' && e.actor === 'city_legal'));
  expectError(assert, await api(srv, 'GET', `/api/v1/items/${id}/events`), 401);
  const comments = await api(srv, 'GET', `/api/v1/items/${id}/comments`);
  assert.equal(comments.json.comments[0].reply, '已补充代办方式');
  // Searchable at once.
  const found = await browse({ q: '临时生活补助', limit: '5' });
  assert.equal(found.items[0].id, id);
  // Abolished: gone from browse and search.
  assert.equal((await api(srv, 'POST', `/api/v1/items/${id}/abolish`, { token: legal, body: { reason: '并入临时救助' } })).status, 200);
  const gone = await browse({ q: '临时生活补助', limit: '5' });
  assert.ok(!gone.items.some((it) => it.id === id));
});

test('imports name the bad row and write nothing; exports are public', async () => {
  const admin = await login(srv, 'admin');
  const before = (await browse({ limit: '200' })).items.length;
  const csv = [
    'record,code,base,name,type,themes,audience,supply,levels,legal_basis,org_credit_code,visits',
    'base,BM3415-9100,,测试事项,benefit,other,natural,must,3,"[{""law"":""某某条例""}]",,',
    'item,,BM3415-9100,,,,,,,,11341524000001111G,1',
    'item,,BM3415-9100,,,,,,,,11341524000001111G,many',
  ].join('\n');
  const bad = await api(srv, 'POST', '/api/v1/catalogue/import?name=bad.csv', { token: admin, raw: csv, headers: { 'content-type': 'text/csv' } });
  expectError(assert, bad, 422, 'invalid', 'bad.csv:4');
  const base = await api(srv, 'GET', '/api/v1/base-items?q=BM3415-9100');
  assert.equal(base.json.items.length, 0);
  // A clerk may not import.
  const clerk = await login(srv, 'city_clerk');
  expectError(assert, await api(srv, 'POST', '/api/v1/catalogue/import', { token: clerk, raw: csv }), 403);
  // The small fixture imports and publishes.
  const mini = readFileSync(path.join(ROOT, 'tests/fixtures/catalogue-mini.json'), 'utf8');
  const ok = await api(srv, 'POST', '/api/v1/catalogue/import?publish=publish&name=mini.json', { token: admin, raw: mini, headers: { 'content-type': 'application/json' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.items_new, 6);
  assert.equal(ok.json.published, 6);
  assert.equal((await browse({ limit: '200' })).items.length, before + 6);
  const exp = await api(srv, 'GET', '/api/v1/catalogue/export');
  assert.equal(exp.status, 200);
  assert.ok(exp.json.items.length >= before + 6);
  assert.ok(exp.json.items.every((it) => it.guide && it.code));
  const ecsv = await api(srv, 'GET', '/api/v1/catalogue/export?format=csv');
  assert.match(ecsv.headers.get('content-type'), /^text\/csv/);
  assert.match(ecsv.text, /^record,code,base,name,/);
  assert.match(ecsv.text, /\r\n"material",/);
});

test('the real 广安区 extract imports as it is and is searchable', async () => {
  const div = path.join(SHARED, 'data/divisions');
  const file = path.join(SHARED, 'data/guides/guangan-511602-catalogue-sample.csv');
  let r = cli(srv.db.url, 'import', 'catalogue', file, '--as-is');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /511602000000/);
  r = cli(srv.db.url, 'import', 'regions', `${div}/provinces.csv`, `${div}/cities.csv`, `${div}/areas.csv`);
  assert.equal(r.status, 0, r.stderr);
  r = cli(srv.db.url, 'import', 'catalogue', file, '--as-is');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /新增 160/);
  const all = await browse({ region: '511602000000', limit: '200' });
  assert.equal(all.items.length, 160);
  const lowbao = await browse({ q: '低保', region: '511602000000', limit: '5' });
  assert.ok(lowbao.items.length > 0);
  assert.match(lowbao.items[0].name, /最低生活保障/);
  const yanglao = await browse({ q: '养老', region: '511602000000', limit: '5' });
  assert.match(yanglao.items[0].name, /养老/);
  const card = await browse({ q: '社保卡', region: '511602000000', limit: '5' });
  // There is no 社会保障卡 item in this extract: nothing in the top tier.
  assert.ok(card.items.every((it) => !/社会保障卡/.test(it.name) && it.tier < 3));
  // Incomplete guides are listed; the lint says what is missing.
  const one = await api(srv, 'GET', `/api/v1/items/${lowbao.items[0].id}`);
  assert.ok(one.json.lint.errors > 0);
  assert.ok(one.json.lint.findings.some((f) => f.code === 'materials_missing'));
  const audit = cli(srv.db.url, 'audit', 'catalogue');
  assert.equal(audit.status, 1);
  assert.match(audit.stdout, /materials_missing\s+160/);
  // The 辽宁 catalogue: base items with their legal basis.
  r = cli(srv.db.url, 'import', 'catalogue', path.join(SHARED, 'data/guides/liaoning-catalogue-sample.json'));
  assert.equal(r.status, 0, r.stderr);
  const b = await api(srv, 'GET', '/api/v1/base-items?q=210973001000');
  assert.equal(b.json.items[0].legal_basis[0].law, '中华人民共和国专利法');
});
