// proofs.test.mjs — proofs, data sharing, licences and commitments over
// HTTP on the demo city (docs/proofs.md): the public registry and its
// clean-up summary; "no proof outside the list" refusing a publication with
// the reason; a circular chain planted by tests/fixtures/proofs-cycle.json
// found and shown whole; a material satisfied by sharing, with its look-up
// in the log; an http data provider served on loopback by this test (and
// one too slow to answer); a case intake whose provider is slow does not
// hold up other writes (the look-up is made before the write unit), and a
// provider error or a filing that fails still leaves its look-up in the
// log; licences by holder with their hash checked; the
// commitment sample the same for the same seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, api, cli, login, expectError } from './lib.mjs';

let srv;
let provider;
let providerUrl;
let sleepyAsked = null;
const ZHANG = '341524198503120017';
const CHEN = '34152419560410002X';

before(async () => {
  srv = await startServer();
  // Another department's endpoint: GET ?subject=… → {found, record}; the
  // /slow path never answers in time.
  provider = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/slow') { setTimeout(() => { res.end('{}'); }, 3000); return; }
    if (u.pathname === '/broken') { res.statusCode = 500; res.end('oops'); return; }
    if (u.pathname === '/sleepy') {
      // Answers like /edu, after 1.5 s; tells the test it was asked.
      sleepyAsked?.();
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(u.searchParams.get('subject') === ZHANG
          ? { found: true, record: { 学历: '本科', 毕业院校: '安徽大学' } } : { found: false }));
      }, 1500);
      return;
    }
    const subject = u.searchParams.get('subject');
    res.setHeader('content-type', 'application/json');
    if (subject === ZHANG) res.end(JSON.stringify({ found: true, record: { 学历: '本科', 毕业院校: '安徽大学', 学号: 'x' } }));
    else res.end(JSON.stringify({ found: false }));
  });
  await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
  providerUrl = `http://127.0.0.1:${provider.address().port}`;
});
after(async () => {
  provider.closeAllConnections?.();
  await new Promise((resolve) => provider.close(resolve));
  assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
});

test('the public registry, data catalogue and clean-up summary', async () => {
  const r = await api(srv, 'GET', '/api/v1/proofs');
  assert.equal(r.status, 200, r.text);
  const names = r.json.proofs.map((p) => p.name);
  for (const n of ['无犯罪记录证明', '居住证明', '亲属关系证明', '收入证明', '未婚证明', '出生医学证明']) {
    assert.ok(names.includes(n), `${n} in the registry`);
  }
  assert.ok(!names.includes('无房证明'), 'unpublished proofs stay private');
  const kin = r.json.proofs.find((p) => p.name === '亲属关系证明');
  assert.equal(kin.status, 'replaced_sharing');
  assert.equal(kin.replacement, '户籍');
  assert.ok(kin.status_decision.includes('国办发'));
  const ds = await api(srv, 'GET', '/api/v1/datasets');
  assert.equal(ds.status, 200);
  const hj = ds.json.datasets.find((d) => d.name === '户籍');
  assert.ok(hj && hj.records > 0 && hj.sharing === 'unconditional');
  const s = await api(srv, 'GET', '/api/v1/proof-audit/summary');
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.title, '证明事项清理结果公示');
  assert.ok(s.json.catalogue.items >= 100);
  assert.equal(s.json.registry.cancelled, 1);
  assert.equal(s.json.findings.proofs_without_basis, 1); // 无房证明
  // The full report is for those who keep the registry.
  expectError(assert, await api(srv, 'GET', '/api/v1/proof-audit'), 401);
  const clerk = await login(srv, 'jinzhai_clerk');
  expectError(assert, await api(srv, 'GET', '/api/v1/proof-audit', { token: clerk }), 403);
  const legal = await login(srv, 'city_legal');
  const text = await api(srv, 'GET', '/api/v1/proof-audit?format=text', { token: legal });
  assert.equal(text.status, 200);
  assert.match(text.text, /证明事项清理结果公示/);
});

test('no proof outside the list; a planted circular chain is found and shown whole', async () => {
  const admin = await login(srv, 'admin');
  const fx = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/proofs-cycle.json'), 'utf8'));
  const body = JSON.stringify(fx.catalogue);
  const refused = await api(srv, 'POST', '/api/v1/catalogue/import?publish=publish&name=cycle.json',
    { token: admin, raw: body, headers: { 'content-type': 'application/json' } });
  assert.equal(refused.status, 422, refused.text);
  assert.match(refused.json.error.message, /清单之外无证明/);
  assert.match(refused.json.error.message, /测试(居住|亲属关系)证明/);
  // A clerk may not list proofs; a legal reviewer may.
  const clerk = await login(srv, 'jinzhai_clerk');
  const legal = await login(srv, 'city_legal');
  const p0 = fx.proofs[0];
  expectError(assert, await api(srv, 'PUT', `/api/v1/proofs/${encodeURIComponent(p0.name)}`, { token: clerk, body: p0 }), 403);
  for (const p of fx.proofs) {
    const r = await api(srv, 'PUT', `/api/v1/proofs/${encodeURIComponent(p.name)}`, { token: legal, body: p });
    assert.equal(r.status, 201, r.text);
  }
  const bad = await api(srv, 'PUT', `/api/v1/proofs/${encodeURIComponent('测试证明')}`, { token: legal, body: { status: 'cancelled' } });
  expectError(assert, bad, 422, 'invalid', '/status_date');
  const ok = await api(srv, 'POST', '/api/v1/catalogue/import?publish=publish&name=cycle.json',
    { token: admin, raw: body, headers: { 'content-type': 'application/json' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.published, 3);
  const rep = await api(srv, 'GET', '/api/v1/proof-audit', { token: legal });
  assert.equal(rep.status, 200, rep.text);
  assert.equal(rep.json.circular.length, 1, JSON.stringify(rep.json.circular));
  const c = rep.json.circular[0];
  assert.equal(c.length, 4);
  assert.deepEqual(c.chain.map((n) => n.kind), ['proof', 'item', 'proof', 'item', 'proof']);
  assert.deepEqual(new Set(c.chain.filter((n) => n.kind === 'item').map((n) => n.base_code)), new Set(['BMCYC00001', 'BMCYC00002']));
  assert.equal(c.chain[0].name, c.chain[4].name);
  // The CLI says the same and fails.
  const out = cli(srv.db.url, 'audit', 'proofs');
  assert.equal(out.status, 1, out.stderr);
  assert.match(out.stdout, /循环证明（1）/);
  assert.match(out.stdout, /BMCYC00001/);
});

test('a material satisfied by sharing: the look-up is in the log', async () => {
  const clerk = await login(srv, 'jinzhai_clerk');
  const r = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('户籍')}/lookup`,
    { token: clerk, body: { subject: ZHANG, case_no: 'JZ-T-0001', fields: ['姓名', '户籍地址'] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.found, true);
  assert.deepEqual(Object.keys(r.json.record).sort(), ['姓名', '户籍地址'].sort());
  // Conditional sharing needs a case.
  const cond = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('低保对象')}/lookup`,
    { token: clerk, body: { subject: CHEN } });
  assert.equal(cond.status, 200);
  assert.equal(cond.json.result, 'refused');
  const citizen = await login(srv, 'citizen');
  expectError(assert, await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('户籍')}/lookup`,
    { token: citizen, body: { subject: ZHANG } }), 403);
  expectError(assert, await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('户籍')}/lookup`,
    { token: clerk, body: { subject: '341524198503120018' } }), 422, 'invalid', '/subject');
  const admin = await login(srv, 'admin');
  const log = await api(srv, 'GET', '/api/v1/sharing-log?case_no=JZ-T-0001', { token: admin });
  assert.equal(log.status, 200, log.text);
  assert.equal(log.json.entries.length, 1);
  const entry = log.json.entries[0];
  assert.equal(entry.dataset, '户籍');
  assert.equal(entry.result, 'found');
  assert.equal(entry.actor_login, 'jinzhai_clerk');
  assert.ok(!entry.subject.includes('198503'), 'subject masked in the log');
  const bySubject = await api(srv, 'GET', `/api/v1/sharing-log?subject=${CHEN}`, { token: admin });
  assert.equal(bySubject.json.entries.length, 1);
  assert.equal(bySubject.json.entries[0].result, 'refused');
});

test('an http provider on loopback answers; a slow one is an error, logged', async () => {
  const legal = await login(srv, 'city_legal');
  const put = await api(srv, 'PUT', `/api/v1/datasets/${encodeURIComponent('学历学籍')}`, {
    token: legal,
    body: { provider: '省教育厅', fields: ['学历', '毕业院校'], sharing: 'unconditional', kind: 'http', url: `${providerUrl}/edu`, timeout_ms: 2000 },
  });
  assert.equal(put.status, 201, put.text);
  const clerk = await login(srv, 'jinzhai_clerk');
  const hit = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('学历学籍')}/lookup`,
    { token: clerk, body: { subject: ZHANG, case_no: 'JZ-T-0002' } });
  assert.equal(hit.status, 200, hit.text);
  assert.equal(hit.json.found, true);
  assert.deepEqual(hit.json.record, { 学历: '本科', 毕业院校: '安徽大学' }); // only the listed fields
  const miss = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('学历学籍')}/lookup`,
    { token: clerk, body: { subject: CHEN, case_no: 'JZ-T-0002' } });
  assert.equal(miss.json.result, 'not_found');
  await api(srv, 'PUT', `/api/v1/datasets/${encodeURIComponent('慢接口')}`, {
    token: legal,
    body: { provider: '某局', fields: ['x'], sharing: 'unconditional', kind: 'http', url: `${providerUrl}/slow`, timeout_ms: 300 },
  });
  const slow = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('慢接口')}/lookup`,
    { token: clerk, body: { subject: ZHANG, case_no: 'JZ-T-0003' } });
  expectError(assert, slow, 503, 'unavailable');
  const admin = await login(srv, 'admin');
  const log = await api(srv, 'GET', '/api/v1/sharing-log?case_no=JZ-T-0003', { token: admin });
  assert.equal(log.json.entries[0].result, 'error');
  // Records cannot be imported into an http data set; CSV errors name the line.
  const csv = await api(srv, 'POST', `/api/v1/datasets/${encodeURIComponent('户籍')}/records`,
    { token: legal, raw: `subject,姓名\n${ZHANG},张\n123,李\n`, headers: { 'content-type': 'text/csv' } });
  expectError(assert, csv, 422, 'invalid', '3/subject');
});

test('licences by holder, hash checked; the commitment sample is the same for the same seed', async () => {
  const clerk = await login(srv, 'jinzhai_clerk');
  const l = await api(srv, 'GET', `/api/v1/licences?holder=${ZHANG}`, { token: clerk });
  assert.equal(l.status, 200, l.text);
  const types = l.json.licences.map((x) => x.type).sort();
  assert.deepEqual(types, ['居民户口簿', '居民身份证', '结婚证'].sort());
  for (const x of l.json.licences) { assert.equal(x.intact, true); assert.equal(x.status, 'valid'); }
  // Commitments for 收入证明 (check 30%), recorded by the clerk.
  for (let i = 1; i <= 20; i++) {
    const r = await api(srv, 'POST', '/api/v1/commitments', {
      token: clerk,
      body: { proof: '收入证明', case_no: `JZ-C-${String(i).padStart(4, '0')}`, applicant: i % 2 ? ZHANG : CHEN },
    });
    assert.equal(r.status, 201, r.text);
  }
  const dup = await api(srv, 'POST', '/api/v1/commitments', { token: clerk, body: { proof: '收入证明', case_no: 'JZ-C-0001', applicant: ZHANG } });
  expectError(assert, dup, 409, 'conflict');
  const nope = await api(srv, 'POST', '/api/v1/commitments', { token: clerk, body: { proof: '出生医学证明', case_no: 'JZ-C-9', applicant: ZHANG } });
  expectError(assert, nope, 422, 'invalid', '/proof');
  const legal = await login(srv, 'city_legal');
  const draw = (body) => api(srv, 'POST', '/api/v1/commitments/draws', { token: legal, body });
  const pick = (r) => r.json.proofs.find((p) => p.proof === '收入证明').selected.map((s) => s.case_no);
  const a = await draw({ seed: '2026-11 金寨', proof: '收入证明', dry_run: true });
  const b = await draw({ seed: '2026-11 金寨', proof: '收入证明', dry_run: true });
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(pick(a), pick(b));
  assert.equal(pick(a).length, 6); // 30% of 20
  const real = await draw({ seed: '2026-11 金寨', proof: '收入证明' });
  assert.equal(real.status, 201, real.text);
  assert.deepEqual(pick(real), pick(a));
  assert.ok(real.json.draw_id > 0);
  // The CLI draws the same from the same seed (dry run: nothing left, so
  // the population is empty now).
  const out = cli(srv.db.url, 'audit', 'commitments', '--seed', '2026-11 金寨', '--dry-run');
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /共 0 件承诺/);
  // A false promise revokes the result and goes on record.
  const first = real.json.proofs.find((p) => p.proof === '收入证明').selected[0];
  const res = await api(srv, 'POST', `/api/v1/commitments/${first.id}/outcome`,
    { token: legal, body: { outcome: 'false_promise', note: '核查发现隐瞒收入' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.commitment.outcome, 'false_promise');
  const again = await api(srv, 'POST', `/api/v1/commitments/${first.id}/outcome`,
    { token: legal, body: { outcome: 'kept', note: '重复记录' } });
  expectError(assert, again, 409, 'conflict');
});

// The intake's look-ups are made before its write unit (docs/proofs.md "The
// seam with case intake"): a slow department endpoint holds neither the
// writer nor the polling threads.
test('case intake asks a slow http provider outside the write unit; every look-up is logged', async () => {
  const legal = await login(srv, 'city_legal');
  const clerk = await login(srv, 'jinzhai_clerk');
  const jzAdmin = await login(srv, 'jinzhai_admin');
  const admin = await login(srv, 'admin');
  const setUrl = async (p, timeout = 3000) => {
    const r = await api(srv, 'PUT', `/api/v1/datasets/${encodeURIComponent('学历学籍')}`, {
      token: legal,
      body: { provider: '省教育厅', fields: ['学历', '毕业院校'], sharing: 'unconditional', kind: 'http', url: `${providerUrl}${p}`, timeout_ms: timeout },
    });
    assert.ok(r.status === 200 || r.status === 201, r.text);
  };
  // 教师资格认定 of 金寨县: material 1 is 学历学籍 (shared data).
  const items = await api(srv, 'GET', '/api/v1/items?region=341524000000&limit=200');
  const item = items.json.items.find((x) => x.base === 'BM34150045' && x.region === '341524000000');
  assert.ok(item, 'BM34150045 in 金寨县');
  const file = (who) => api(srv, 'POST', '/api/v1/cases', {
    token: clerk, body: { item_id: item.id, channel: 'window', applicant: { kind: 'natural', name: who, id_no: ZHANG } },
  });
  const caseLog = async (no) => (await api(srv, 'GET', `/api/v1/sharing-log?case_no=${no}`, { token: admin })).json.entries
    .filter((x) => x.dataset === '学历学籍');
  const orgs = await api(srv, 'GET', '/api/v1/orgs?region=341524000000', { token: jzAdmin });
  assert.equal(orgs.status, 200, orgs.text);
  const org = (orgs.json.items || orgs.json.orgs)[0];
  assert.ok(org && org.id, orgs.text);

  // 1. A provider that takes 1.5 s: an unrelated write goes through meanwhile.
  await setUrl('/sleepy');
  const asked = new Promise((resolve) => { sleepyAsked = resolve; });
  const t0 = Date.now();
  const slow = file('张建国');
  await asked;
  const before = await api(srv, 'GET', `/api/v1/orgs/${org.id}`, { token: jzAdmin });
  const t1 = Date.now();
  const upd = await api(srv, 'PATCH', `/api/v1/orgs/${org.id}`,
    { token: jzAdmin, body: { phone: '0564-7654321', revision: before.json.revision } });
  const took = Date.now() - t1;
  assert.equal(upd.status, 200, upd.text);
  assert.ok(took < 500, `the org update waited ${took} ms behind the intake's look-up`);
  const r = await slow;
  sleepyAsked = null;
  assert.ok(Date.now() - t0 >= 1400, 'the intake waited for its provider');
  assert.equal(r.status, 201, r.text);
  const got = await api(srv, 'GET', `/api/v1/cases/${r.json.case_no}`, { token: clerk });
  assert.equal(got.status, 200, got.text);
  const m1 = got.json.materials.find((m) => m.index === 1);
  assert.equal(m1.status, 'evidence', JSON.stringify(m1));
  assert.match(m1.evidence.summary, /学历学籍/);
  let log = await caseLog(r.json.case_no);
  assert.equal(log.length, 1, JSON.stringify(log));
  assert.equal(log[0].result, 'found');
  assert.equal(log[0].actor_login, 'jinzhai_clerk');
  assert.equal(log[0].material, m1.name);

  // 2. A provider that errs, or does not answer in time: the material is
  // asked of the applicant, the failed look-up logged.
  for (const [p, timeout] of [['/broken', 3000], ['/slow', 300]]) {
    await setUrl(p, timeout);
    const f = await file('张建国');
    assert.equal(f.status, 201, f.text);
    assert.ok(f.json.missing.some((m) => m.index === 1), `${p}: ${JSON.stringify(f.json.missing)}`);
    log = await caseLog(f.json.case_no);
    assert.equal(log.length, 1, JSON.stringify(log));
    assert.equal(log[0].result, 'error', p);
  }

  // 3. A filing whose unit fails after its look-up (the item is abolished
  // while the provider is asked): 422, and the look-up is logged anyway,
  // with no case.
  await setUrl('/sleepy');
  const asked2 = new Promise((resolve) => { sleepyAsked = resolve; });
  const doomed = file('张建国');
  await asked2;
  const ab = await api(srv, 'POST', `/api/v1/items/${item.id}/abolish`, { token: legal, body: { reason: '测试：受理途中废止' } });
  assert.equal(ab.status, 200, ab.text);
  const d = await doomed;
  sleepyAsked = null;
  expectError(assert, d, 422, 'invalid', '/item_id');
  const bySubject = await api(srv, 'GET', `/api/v1/sharing-log?subject=${ZHANG}&dataset=${encodeURIComponent('学历学籍')}`, { token: admin });
  const orphan = bySubject.json.entries.filter((x) => x.case_no === null && /办件未能提交/.test(x.detail || ''));
  assert.equal(orphan.length, 1, JSON.stringify(bySubject.json.entries));
  assert.equal(orphan[0].result, 'found');
});
