// cases.test.mjs — cases (办件) over HTTP with the demo users: a whole life
// cycle (upload, submit, accept, two review steps, decide, deliver, close)
// with its notices; the public progress query (the ID never whole, a
// wrong code answers as a missing case); an applicant filing online and
// withdrawing; a village agent under an entrustment; a township clerk
// who reaches no case of the next township by any route; and the deadline
// warning scan over HTTP and from the command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, startServer, freshDb, api, cli, login, expectError } from './lib.mjs';

let srv;
let db;
const tok = {};
let pdf;

const APPLICANT = { kind: 'natural', name: '王小明', id_no: '341524198503121028', phone: '13900001111' };
const MEISHAN = '341524100000';
const MABU = '341524101000';

before(async () => {
  db = freshDb();
  let r = cli(db.url, 'init', '--demo');
  assert.equal(r.status, 0, r.stderr);
  // Deadlines of cases filed late in 2026 run into 2027: import that year.
  r = cli(db.url, 'calendar', 'import', path.join(ROOT, 'tests/fixtures/holidays-2027.json'));
  assert.equal(r.status, 0, r.stderr);
  srv = await startServer({ db, demo: null });
  for (const u of ['jinzhai_clerk', 'jinzhai_reviewer', 'jinzhai_decider', 'meishan_clerk', 'qingshan_agent', 'citizen',
    'jinzhai_admin', 'jinzhai_supervisor']) {
    tok[u] = await login(srv, u);
  }
});

after(async () => {
  assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  db.drop();
});

async function upload(token, body, type = 'application/pdf') {
  return api(srv, 'POST', '/api/v1/files?name=form.pdf', { token, raw: body, headers: { 'content-type': type } });
}

// itemId — the implementation item of base code `base` run in `region`.
async function itemId(base, region) {
  const r = await api(srv, 'GET', `/api/v1/items?${new URLSearchParams({ region, limit: '200' })}`);
  assert.equal(r.status, 200, r.text);
  const it = r.json.items.find((x) => x.base === base && x.region === region);
  assert.ok(it, `item ${base} in ${region}`);
  return it.id;
}

function allMaterials(n, commitments) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(commitments.includes(i) ? { index: i, commitment: true } : { index: i, file: pdf });
  return out;
}

async function post(token, no, action, body = {}) {
  return api(srv, 'POST', `/api/v1/cases/${no}/${action}`, { token, body });
}

test('uploads are content-addressed, typed and checked', async () => {
  const r = await upload(tok.jinzhai_clerk, Buffer.from('%PDF-1.4 申请书\n'));
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.sha256, /^[0-9a-f]{64}$/);
  pdf = r.json.sha256;
  const again = await upload(tok.jinzhai_clerk, Buffer.from('%PDF-1.4 申请书\n'));
  assert.equal(again.json.sha256, pdf, 'same bytes, same address');
  expectError(assert, await upload(tok.jinzhai_clerk, Buffer.from('<html>'), 'text/html'), 415, 'unsupported_media_type');
  expectError(assert, await upload(tok.jinzhai_clerk, Buffer.from('not a pdf'), 'application/pdf'), 422, 'invalid');
  expectError(assert, await upload(null, Buffer.from('%PDF-1.4')), 401);
});

let lifeNo;
let lifeCode;

test('a whole life cycle: submit, accept, two review steps, decide, deliver, close', async () => {
  const item = await itemId('BM34150001', MEISHAN); // 最低生活保障, 梅山镇
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok.jinzhai_clerk,
    body: { item_id: item, channel: 'window', applicant: APPLICANT, materials: allMaterials(8, [7]) },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.state, 'submitted');
  lifeNo = r.json.case_no;
  lifeCode = r.json.query_code;
  assert.match(lifeNo, /^341524100000-\d{8}-\d{6}$/);
  assert.equal(r.headers.get('location'), `/api/v1/cases/${lifeNo}`);
  assert.deepEqual(r.json.missing, []);

  // Only the clerk accepts; the reviewer cannot.
  expectError(assert, await post(tok.jinzhai_reviewer, lifeNo, 'accept'), 403);
  r = await post(tok.jinzhai_clerk, lifeNo, 'accept', { opinion: '材料齐全' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'handling');
  assert.match(r.json.due_date, /^\d{4}-\d{2}-\d{2}$/);
  // Steps in order; the decider cannot skip them.
  expectError(assert, await post(tok.jinzhai_decider, lifeNo, 'decide', { decision: 'grant' }), 409, 'conflict');
  expectError(assert, await post(tok.jinzhai_reviewer, lifeNo, 'step', {}), 422, 'invalid', '/opinion');
  for (const opinion of ['入户调查属实', '民主评议通过，公示无异议']) {
    r = await post(tok.jinzhai_reviewer, lifeNo, 'step', { opinion });
    assert.equal(r.status, 200, r.text);
  }
  expectError(assert, await post(tok.jinzhai_reviewer, lifeNo, 'step', { opinion: '多余' }), 409, 'conflict');
  r = await post(tok.jinzhai_decider, lifeNo, 'decide', { decision: 'grant' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'decided');
  expectError(assert, await post(tok.jinzhai_clerk, lifeNo, 'deliver', { method: 'mail' }), 422, 'invalid', '/tracking_no');
  r = await post(tok.jinzhai_clerk, lifeNo, 'deliver', { method: 'mail', tracking_no: 'SF1234567890' });
  assert.equal(r.status, 200, r.text);
  r = await post(tok.jinzhai_clerk, lifeNo, 'close', { revision: r.json.revision });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'closed');

  r = await api(srv, 'GET', `/api/v1/cases/${lifeNo}`, { token: tok.jinzhai_clerk });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.events.map((e) => e.action), ['submit', 'accept', 'step', 'step', 'decide', 'deliver', 'close']);
  for (const e of r.json.events) assert.ok(e.by && e.at, 'who and when');
  assert.deepEqual(r.json.events.filter((e) => e.action === 'step').map((e) => e.by), ['jinzhai_reviewer', 'jinzhai_reviewer']);

  // The notices cite the legal basis and print the case number.
  r = await api(srv, 'GET', `/api/v1/cases/${lifeNo}/notices`, { token: tok.jinzhai_clerk });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.notices.map((n) => n.kind), ['receipt', 'decision', 'delivery']);
  for (const n of r.json.notices) {
    assert.equal(n.case_no, lifeNo);
    assert.ok(n.text.includes(lifeNo), n.text);
    assert.ok(n.legal_basis.length > 0);
    assert.ok(n.text.includes('社会救助暂行办法'), `${n.kind} cites the basis: ${n.text}`);
  }
  const receipt = r.json.notices[0];
  assert.equal(receipt.query_code, lifeCode);
  assert.ok(receipt.text.includes('社会救助暂行办法'), receipt.text);
  r = await api(srv, 'GET', `/api/v1/cases/${lifeNo}/notices/refusal`, { token: tok.jinzhai_clerk });
  expectError(assert, r, 404);
});

test('the public progress query: plain words, masked, wrong code = missing', async () => {
  let r = await api(srv, 'GET', `/api/v1/progress/${lifeNo}?code=${lifeCode}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'closed');
  assert.ok(!r.text.includes(APPLICANT.id_no), 'full ID never shown');
  assert.ok(!r.text.includes(APPLICANT.phone));
  assert.ok(!r.text.includes('王小明'));
  assert.equal(r.json.applicant.id, '3415**********1028');
  assert.ok(r.json.timeline.some((t) => t.text.includes('已受理')));
  assert.ok(r.json.timeline.some((t) => t.text.includes('入户调查与信息核对')));
  assert.equal(r.json.result.decision, 'grant');
  const wrong = await api(srv, 'GET', `/api/v1/progress/${lifeNo}?code=AAAA2222`);
  const missing = await api(srv, 'GET', `/api/v1/progress/341524100000-20000101-000001?code=${lifeCode}`);
  expectError(assert, wrong, 404, 'not_found');
  expectError(assert, missing, 404, 'not_found');
  assert.equal(wrong.json.error.message, missing.json.error.message);
  assert.equal(wrong.json.error.field, missing.json.error.field);
  expectError(assert, await api(srv, 'GET', `/api/v1/progress/${lifeNo}`), 404, 'not_found');
});

test('an applicant files online for themselves, reads only their own, and withdraws', async () => {
  const item = await itemId('BM34150001', MEISHAN);
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok.citizen,
    body: { item_id: item, channel: 'online', materials: [{ index: 5, file: pdf }] },
  });
  assert.equal(r.status, 201, r.text);
  const own = r.json.case_no;
  expectError(assert, await api(srv, 'POST', '/api/v1/cases', {
    token: tok.citizen, body: { item_id: item, channel: 'window', applicant: APPLICANT },
  }), 403, 'forbidden', '/channel');
  r = await api(srv, 'GET', `/api/v1/cases/${own}`, { token: tok.citizen });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.applicant.name, '张演示', 'the account\'s own person');
  // The clerk's case for the same person was not filed by this account.
  expectError(assert, await api(srv, 'GET', `/api/v1/cases/${lifeNo}`, { token: tok.citizen }), 404);
  r = await api(srv, 'GET', '/api/v1/cases', { token: tok.citizen });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((c) => c.case_no), [own]);
  expectError(assert, await post(tok.citizen, own, 'accept'), 403);
  r = await post(tok.citizen, own, 'withdraw', { reason: '材料准备不全，暂不申请' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'withdrawn');
});

test('a village agent files under a recorded entrustment', async () => {
  const item = await itemId('BM34150001', MEISHAN);
  const body = { item_id: item, channel: 'agent', applicant: APPLICANT, agent: { name: '青山代办员' } };
  expectError(assert, await api(srv, 'POST', '/api/v1/cases', { token: tok.qingshan_agent, body }), 422, 'invalid', '/agent/entrustment');
  body.agent.entrustment = pdf;
  const r = await api(srv, 'POST', '/api/v1/cases', { token: tok.qingshan_agent, body });
  assert.equal(r.status, 201, r.text);
  const c = await api(srv, 'GET', `/api/v1/cases/${r.json.case_no}`, { token: tok.qingshan_agent });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.agent.name, '青山代办员');
  assert.equal(c.json.agent.entrustment, pdf);
  assert.equal(c.json.applicant.name, APPLICANT.name, 'the agent is recorded apart from the applicant');
  expectError(assert, await post(tok.qingshan_agent, r.json.case_no, 'accept'), 403);
});

test('a township clerk cannot reach a case of the next township by any route', async () => {
  const item = await itemId('BM34150052', MABU); // 耕地地力保护补贴, 麻埠镇
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok.meishan_clerk, body: { item_id: item, channel: 'window', applicant: APPLICANT },
  });
  expectError(assert, r, 403);
  r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok.jinzhai_clerk, body: { item_id: item, channel: 'window', applicant: { ...APPLICANT, name: '麻埠申请人' } },
  });
  assert.equal(r.status, 201, r.text);
  const no = r.json.case_no;
  const reads = [
    ['GET', `/api/v1/cases/${no}`], ['GET', `/api/v1/cases/${no}/notices`],
    ['GET', `/api/v1/cases/${no}/notices/receipt`], ['GET', `/api/v1/cases?region=${MABU}`],
    ['GET', '/api/v1/cases'], ['GET', `/api/v1/case-warnings?region=${MABU}`],
    ['GET', `/api/v1/progress/${no}?code=WRONG234`],
  ];
  for (const [m, p] of reads) {
    const x = await api(srv, m, p, { token: tok.meishan_clerk });
    assert.ok(!x.text.includes('麻埠申请人'), `${m} ${p} leaked: ${x.text}`);
    assert.ok(!x.text.includes(no), `${m} ${p} names the case: ${x.text}`);
  }
  for (const action of ['notice', 'supply', 'accept', 'refuse', 'dispatch', 'answer', 'step', 'pause', 'resume',
    'decide', 'deliver', 'close', 'withdraw', 'fee']) {
    const x = await post(tok.meishan_clerk, no, action, { reason: 'x', basis: 'y' });
    assert.ok([403, 404, 422].includes(x.status), `${action}: ${x.status} ${x.text}`);
    assert.ok(!x.text.includes('麻埠申请人'));
  }
  r = await api(srv, 'GET', `/api/v1/cases/${no}`, { token: tok.jinzhai_clerk });
  assert.equal(r.status, 200);
  assert.equal(r.json.state, 'submitted', 'nothing changed');
  assert.equal(r.json.events.length, 1);
});

test('the warning scan: who may run it, paging, and the command line', async () => {
  // A 梅山镇 case accepted today: the scan of a day past its due date
  // (the command line's --date) lists it red; today it is not yet listed.
  const item = await itemId('BM34150001', MEISHAN);
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok.jinzhai_clerk,
    body: { item_id: item, channel: 'window', applicant: APPLICANT, materials: allMaterials(8, [7]) },
  });
  assert.equal(r.status, 201, r.text);
  const no = r.json.case_no;
  r = await post(tok.jinzhai_clerk, no, 'accept', {});
  assert.equal(r.status, 200, r.text);
  const due = r.json.due_date;
  r = await api(srv, 'GET', `/api/v1/cases/${no}`, { token: tok.jinzhai_clerk });
  assert.equal(r.json.warn_workdays, 5, '25 working days: 20% = 5');

  for (const who of ['jinzhai_admin', 'jinzhai_supervisor', 'jinzhai_clerk', 'meishan_clerk']) {
    r = await api(srv, 'GET', `/api/v1/case-warnings?region=${MEISHAN}&limit=5`, { token: tok[who] });
    assert.equal(r.status, 200, `${who}: ${r.text}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next', 'red', 'scope', 'today', 'yellow']);
    assert.equal(typeof r.json.red, 'number');
    assert.ok(!r.json.items.some((x) => x.case_no === no), 'green today');
  }
  // A reviewer reads cases but runs no scan; a township clerk not the next
  // township; a citizen nothing.
  expectError(assert, await api(srv, 'GET', `/api/v1/case-warnings?region=${MEISHAN}`, { token: tok.jinzhai_reviewer }), 403);
  expectError(assert, await api(srv, 'GET', `/api/v1/case-warnings?region=${MABU}`, { token: tok.meishan_clerk }), 403);
  expectError(assert, await api(srv, 'GET', '/api/v1/case-warnings', { token: tok.citizen }), 403);
  expectError(assert, await api(srv, 'GET', `/api/v1/case-warnings?region=${MEISHAN}&after=x`, { token: tok.jinzhai_clerk }), 422, 'invalid', 'after');
  expectError(assert, await api(srv, 'GET', `/api/v1/case-warnings?region=${MEISHAN}&level=green`, { token: tok.jinzhai_clerk }), 422, 'invalid', 'level');

  // The command line, a month after the due date: red, overdue.
  const late = new Date(Date.parse(`${due}T00:00:00Z`) + 31 * 86400000).toISOString().slice(0, 10);
  let c = cli(db.url, 'cases', 'warnings', '--region', MEISHAN, '--date', late, '--json');
  assert.equal(c.status, 0, c.stderr);
  let j = JSON.parse(c.stdout);
  const mine = j.items.find((x) => x.case_no === no);
  assert.ok(mine, c.stdout);
  assert.equal(mine.level, 'red');
  assert.ok(mine.remaining_workdays < 0, 'overdue: negative working days left');
  assert.ok(j.red >= 1);
  c = cli(db.url, 'cases', 'warnings', '--region', MABU, '--date', late);
  assert.equal(c.status, 0, c.stderr);
  assert.ok(!c.stdout.includes(no), 'not in the next township');
  c = cli(db.url, 'cases', 'warnings', '--region', MEISHAN, '--date', late);
  assert.ok(c.stdout.includes(no) && c.stdout.includes('红'), c.stdout);
  c = cli(db.url, 'cases', 'warnings');
  assert.equal(c.status, 2);
});
