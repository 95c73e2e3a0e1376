// audit.test.mjs — the audit log seen from outside: sign-ins (ok and
// failed) with the peer address and outcome, an org write, a refused request;
// GET /api/v1/audit scoped to the supervisor's region subtree (金寨县's
// supervisor sees 金寨县, not 霍山县) and refused to a clerk; and
// `bianmin audit log --verify` on the live database, before and after a row
// is deleted behind the application's back (guard trigger dropped first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, api, cli, login, expectError, DRIVER } from './lib.mjs';

const JINZHAI = '341524000000';
const MEISHAN = '341524100000'; // 梅山镇, in 金寨县
const HENGSHAN = '341525100000'; // 衡山镇, in 霍山县

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${srv.log().slice(-3000)}`);
});

// Rows queued without waiting (reads, refusals) trail their answer: poll.
async function auditUntil(token, query, pred) {
  let last;
  for (let i = 0; i < 100; i++) {
    last = await api(srv, 'GET', `/api/v1/audit?${query}`, { token });
    assert.equal(last.status, 200, last.text);
    if (pred(last.json.items)) return last.json.items;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no matching audit rows for ${query}: ${last.text}`);
}

function orgBody(name, region) {
  return { kind: 'township_centre', name, region };
}

test('sign-ins, an org write and a refusal are recorded; a county supervisor sees only its county', async () => {
  const bad = await api(srv, 'POST', '/api/v1/sessions', { body: { login: 'jinzhai_clerk', password: 'Not-The-Password-1' } });
  expectError(assert, bad, 401, 'unauthorized');
  const clerk = await login(srv, 'jinzhai_clerk');
  expectError(assert, await api(srv, 'GET', '/api/v1/audit', { token: clerk }), 403, 'forbidden');

  const admin = await login(srv, 'admin');
  const stamp = Date.now();
  const jz = await api(srv, 'POST', '/api/v1/orgs', { token: admin, body: orgBody(`审计测试中心${stamp}`, MEISHAN) });
  assert.equal(jz.status, 201, jz.text);
  const hs = await api(srv, 'POST', '/api/v1/orgs', { token: admin, body: orgBody(`审计测试中心${stamp}`, HENGSHAN) });
  assert.equal(hs.status, 201, hs.text);

  const sup = await login(srv, 'jinzhai_supervisor');
  const items = await auditUntil(sup, 'limit=200', (rows) =>
    rows.some((r) => r.action === 'access.denied' && r.actor.login === 'jinzhai_clerk'));

  const fail = items.find((r) => r.action === 'session.fail' && r.actor.login === 'jinzhai_clerk');
  assert.ok(fail, 'failed sign-in recorded');
  assert.equal(fail.outcome, 'failed');
  assert.equal(fail.ip, '127.0.0.1');
  assert.equal(fail.region, JINZHAI);
  assert.equal(fail.request_id, bad.json.error.request_id);
  assert.ok(!JSON.stringify(fail).includes('Not-The-Password'), 'no password in the log');
  const ok = items.find((r) => r.action === 'session.create' && r.actor.login === 'jinzhai_clerk');
  assert.ok(ok, 'sign-in recorded');
  assert.equal(ok.outcome, 'ok');
  assert.equal(ok.ip, '127.0.0.1');
  assert.match(ok.hash, /^[0-9a-f]{64}$/);
  const denied = items.find((r) => r.action === 'access.denied' && r.actor.login === 'jinzhai_clerk');
  assert.equal(denied.outcome, 'denied');
  assert.equal(denied.detail.route, '/api/v1/audit');

  const created = items.find((r) => r.action === 'org.create' && r.region === MEISHAN);
  assert.ok(created, 'org create in 梅山镇 visible to 金寨县');
  assert.equal(created.actor.login, 'admin');
  assert.deepEqual(created.target, { kind: 'org', id: String(jz.json.id) });

  for (const r of items) {
    assert.ok(r.region && r.region.startsWith('341524'), `row ${r.seq} in ${r.region} outside 金寨县`);
  }
  assert.ok(!items.some((r) => r.region === HENGSHAN));
  for (let i = 1; i < items.length; i++) assert.ok(items[i].seq > items[i - 1].seq, 'oldest first');

  // The county supervisor may not ask for 霍山县; the city's may.
  expectError(assert, await api(srv, 'GET', `/api/v1/audit?region=341525000000`, { token: sup }), 403, 'forbidden', 'region');
  const city = await login(srv, 'city_supervisor');
  const hsRows = await api(srv, 'GET', `/api/v1/audit?region=341525000000&action=org.*`, { token: city });
  assert.equal(hsRows.status, 200, hsRows.text);
  assert.equal(hsRows.json.items.length, 1);
  assert.equal(hsRows.json.items[0].target.id, String(hs.json.id));
  // System-wide rows (the import at init, sign-ins of unknown logins): sys_admin only.
  const none = await api(srv, 'GET', '/api/v1/audit?action=regions.import', { token: city });
  assert.equal(none.json.items.length, 0);
  const sys = await api(srv, 'GET', '/api/v1/audit?action=regions.import', { token: admin });
  assert.equal(sys.json.items.length, 1);
  assert.equal(sys.json.items[0].region, null);
  assert.equal(sys.json.items[0].actor.login, '@cli');
});

test('filters: action prefix, actor, time window, paging, bad arguments', async () => {
  const sup = await login(srv, 'jinzhai_supervisor');
  const sessions = await api(srv, 'GET', '/api/v1/audit?action=session.*&actor=jinzhai_supervisor', { token: sup });
  assert.equal(sessions.status, 200);
  assert.ok(sessions.json.items.length >= 1);
  for (const r of sessions.json.items) {
    assert.match(r.action, /^session\./);
    assert.equal(r.actor.login, 'jinzhai_supervisor');
  }
  const page = await api(srv, 'GET', '/api/v1/audit?limit=1', { token: sup });
  assert.equal(page.json.items.length, 1);
  const next = await api(srv, 'GET', `/api/v1/audit?limit=1&after=${page.json.next_after}`, { token: sup });
  assert.ok(next.json.items[0].seq > page.json.items[0].seq);
  const future = await api(srv, 'GET', '/api/v1/audit?since=2999-01-01', { token: sup });
  assert.equal(future.json.items.length, 0);
  expectError(assert, await api(srv, 'GET', '/api/v1/audit?since=yesterday', { token: sup }), 422, 'invalid', 'since');
  expectError(assert, await api(srv, 'GET', '/api/v1/audit?action=DROP%20TABLE', { token: sup }), 422, 'invalid', 'action');
  expectError(assert, await api(srv, 'GET', '/api/v1/audit?limit=5000', { token: sup }), 422, 'invalid', 'limit');
  expectError(assert, await api(srv, 'GET', '/api/v1/audit'), 401, 'unauthorized');
});

test('GET /api/v1/me is a read of personal data: recorded, numbers masked', async () => {
  const citizen = await login(srv, 'citizen');
  const me = await api(srv, 'GET', '/api/v1/me', { token: citizen });
  assert.equal(me.status, 200);
  const admin = await login(srv, 'admin');
  const rows = await auditUntil(admin, `action=person.read&actor=${me.json.user.id}`, (r) =>
    r.some((x) => x.request_id === me.headers.get('x-request-id')));
  const text = JSON.stringify(rows);
  assert.ok(!text.includes('13800000001'), 'no phone number');
  assert.ok(!text.includes('198503121028'), 'no ID number');
});

test('`bianmin audit log --verify` passes on the live database and finds a deleted row', async () => {
  let r = cli(srv.db.url, 'audit', 'log', '--verify');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /审计日志完整：\d+ 条/);
  r = cli(srv.db.url, 'audit', 'log', '--action', 'org.create', '--limit', '5');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /org\.create/);

  // Through the application's connection the row cannot go.
  const del = 'DELETE FROM audit_log WHERE seq = 3';
  if (DRIVER === 'sqlite') {
    const file = srv.db.url.slice('sqlite:'.length);
    const refused = spawnSync('sqlite3', [file, del], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /append-only/);
    const done = spawnSync('sqlite3', [file, `DROP TRIGGER audit_log_no_delete; ${del};`], { encoding: 'utf8' });
    assert.equal(done.status, 0, done.stderr);
  } else {
    const refused = spawnSync('psql', [srv.db.url, '-v', 'ON_ERROR_STOP=1', '-qc', del], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /append-only/);
    const done = spawnSync('psql', [srv.db.url, '-v', 'ON_ERROR_STOP=1', '-qc',
      `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; ${del}`], { encoding: 'utf8' });
    assert.equal(done.status, 0, done.stderr);
  }
  r = cli(srv.db.url, 'audit', 'log', '--verify');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /第 3 条/);
});
