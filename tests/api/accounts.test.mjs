// accounts.test.mjs — accounts from outside: citizen and enterprise
// self-registration (every refusal, and what a duplicate reveals), changing
// one's password (other sessions end, this one stays), both on the worker
// queue; the session cookie's CSRF rule (cookie writes need the token,
// bearer writes and reads do not); CORS closed and the security headers on
// every kind of answer; and what a failed sign-in keeps of a login that is
// no account (a keyed fingerprint, never the typed text).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, api, login, expectError, DEMO_PASSWORD, DRIVER } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${srv.log().slice(-3000)}`);
});

// ---- valid numbers -----------------------------------------------------------

// A resident ID (GB 11643) from its first 17 digits.
function residentId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * w[i];
  return first17 + '10X98765432'[sum % 11];
}
// A unified social credit code (GB 32100) from its first 17 characters.
function creditCode(first17) {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += cs.indexOf(first17[i]) * w[i];
  return first17 + cs[(31 - (sum % 31)) % 31];
}
let serial = 100 + (process.pid % 700);
// A fresh person: unique ID number and phone per call.
function person() {
  serial++;
  const s = String(serial).padStart(3, '0');
  return {
    kind: 'citizen',
    name: '测试注册人',
    id_no: residentId(`34152419900101${s}`),
    phone: `139${String(process.pid % 10000).padStart(4, '0')}${String(serial % 10000).padStart(4, '0')}`,
    password: 'Register-Test-2026',
  };
}
function firm() {
  serial++;
  const s = String(serial).padStart(3, '0');
  return {
    kind: 'enterprise',
    name: '测试注册企业有限公司',
    credit_code: creditCode(`91341524MA2N0${s}0`),
    phone: `137${String(process.pid % 10000).padStart(4, '0')}${String(serial % 10000).padStart(4, '0')}`,
    login: `firm${process.pid}x${serial}`,
    password: 'Register-Test-2026',
  };
}

// ---- helpers -----------------------------------------------------------------

function checkHeaders(r, what) {
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  assert.match(r.headers.get('content-security-policy') || '', /frame-ancestors 'none'/, what);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
  assert.ok(r.headers.get('x-request-id'), what);
  for (const [k] of r.headers) assert.ok(!k.startsWith('access-control-'), `${what}: CORS header ${k}`);
}

// Sign in and keep both the bearer token and the cookie with its CSRF token.
async function signIn(who, password = DEMO_PASSWORD) {
  const r = await api(srv, 'POST', '/api/v1/sessions', { body: { login: who, password } });
  assert.equal(r.status, 201, r.text);
  const set = r.headers.get('set-cookie');
  assert.match(set, /^bm_session=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Strict/);
  assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(r.json.csrf_token, r.json.token);
  return { token: r.json.token, cookie: `bm_session=${r.json.token}`, csrf: r.json.csrf_token, login: r };
}

// Rows queued without waiting (refusals) trail their answer: poll.
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

async function orgNames(token) {
  const names = [];
  for (let after = 0; ;) {
    const page = await api(srv, 'GET', `/api/v1/orgs?limit=200${after ? `&after=${after}` : ''}`, { token });
    assert.equal(page.status, 200, page.text);
    names.push(...page.json.items.map((o) => o.name));
    if (!page.json.next_after) return names;
    after = page.json.next_after;
  }
}

function dbQuery(sql) {
  const r = DRIVER === 'sqlite'
    ? spawnSync('sqlite3', [srv.db.url.slice('sqlite:'.length), sql], { encoding: 'utf8' })
    : spawnSync('psql', [srv.db.url, '-v', 'ON_ERROR_STOP=1', '-Atqc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// ---- registration ------------------------------------------------------------

test('a citizen registers, signs in with the phone number and sees masked numbers', async () => {
  const p = person();
  const r = await api(srv, 'POST', '/api/v1/register', { body: p });
  assert.equal(r.status, 201, r.text);
  checkHeaders(r, 'register 201');
  assert.equal(r.json.kind, 'citizen');
  assert.equal(r.json.login, p.phone, 'the login is the phone number when none is given');
  assert.ok(r.json.id > 0);
  assert.equal(r.headers.get('set-cookie'), null, 'registering does not sign in');

  const s = await signIn(p.phone, p.password);
  const me = await api(srv, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.kind, 'citizen');
  assert.equal(me.json.user.id, r.json.id);
  assert.ok(!me.text.includes(p.id_no), 'ID number masked');
  assert.equal(me.json.user.id_no, `${p.id_no.slice(0, 4)}**********${p.id_no.slice(14)}`);
  assert.deepEqual(me.json.grants.map((g) => g.role), ['applicant']);

  const admin = await login(srv, 'admin');
  const rows = await auditUntil(admin, `action=user.register&actor=${r.json.id}`, (x) => x.length > 0);
  assert.equal(rows[0].outcome, 'ok');
  assert.equal(rows[0].ip, '127.0.0.1');
  assert.equal(rows[0].request_id, r.headers.get('x-request-id'));
  assert.ok(!JSON.stringify(rows).includes(p.phone), 'phone masked in the audit log');
  assert.ok(!JSON.stringify(rows).includes(p.id_no.slice(4, 14)), 'no ID number in the audit log');
});

test('an enterprise registers with a credit code and its own login', async () => {
  const f = firm();
  const r = await api(srv, 'POST', '/api/v1/register', { body: { ...f, login: f.login.toUpperCase() } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'enterprise');
  assert.equal(r.json.login, f.login, 'stored lower case');
  const s = await signIn(f.login, f.password);
  const me = await api(srv, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(me.json.user.kind, 'enterprise');
  assert.ok(!me.text.includes(f.credit_code));
});

test('registration refusals: each names its field in Chinese, nothing is created', async () => {
  const p = person();
  const bad = (body, status, field, re) => api(srv, 'POST', '/api/v1/register', { body }).then((r) => {
    expectError(assert, r, status, status === 409 ? 'conflict' : 'invalid', field);
    checkHeaders(r, `register ${status} ${field}`);
    if (re) assert.match(r.json.error.message, re);
    return r;
  });
  await bad({ ...p, password: 'short1A' }, 422, '/password', /至少 10 个字符/);
  await bad({ ...p, password: 'alllowercaseletters'.slice(0, 12) }, 422, '/password', /至少三类/);
  await bad({ ...p, password: `X-${p.phone}-y` }, 422, '/password', /不能包含账号/);
  const wrongCheck = p.id_no.slice(0, 17) + (p.id_no[17] === '0' ? '1' : '0');
  await bad({ ...p, id_no: wrongCheck }, 422, '/id_no', /校验位/);
  await bad({ ...p, id_no: '34152419900101' }, 422, '/id_no', /18位/);
  await bad({ ...p, id_no: residentId('34152430000101001') }, 422, '/id_no', /出生日期/);
  const f = firm();
  await bad({ ...f, credit_code: f.credit_code.slice(0, 17) + (f.credit_code[17] === '0' ? '1' : '0') }, 422, '/credit_code', /校验位/);
  await bad({ ...f, credit_code: 'IOSVZ' }, 422, '/credit_code');
  await bad({ ...f, credit_code: undefined }, 422, '/credit_code', /缺少/);
  await bad({ ...f, id_no: p.id_no }, 422, '/id_no', /企业注册不需要/);
  await bad({ ...p, phone: '12345678901' }, 422, '/phone', /手机号/);
  await bad({ ...p, phone: '1390000000' }, 422, '/phone', /手机号/);
  await bad({ ...p, kind: 'staff' }, 422, '/kind');
  await bad({ ...p, kind: undefined }, 422, '/kind');
  await bad({ ...p, name: '' }, 422, '/name');
  await bad({ ...p, login: '-bad login' }, 422, '/login');
  await bad({ ...p, role: 'sys_admin' }, 422, '/role');
  // None of them made an account.
  expectError(assert, await api(srv, 'POST', '/api/v1/sessions', { body: { login: p.phone, password: p.password } }), 401, 'unauthorized');
});

test('duplicates: 409 naming the field, echoing nothing typed, audited as denied', async () => {
  const p = person();
  assert.equal((await api(srv, 'POST', '/api/v1/register', { body: p })).status, 201);
  // The same phone (= login) again.
  const other = person();
  const dupLogin = await api(srv, 'POST', '/api/v1/register', { body: { ...other, phone: p.phone } });
  expectError(assert, dupLogin, 409, 'conflict', '/login');
  assert.ok(!dupLogin.text.includes(p.phone), 'the taken login is not echoed');
  // The same ID number under another login.
  const dupId = await api(srv, 'POST', '/api/v1/register', { body: { ...other, id_no: p.id_no } });
  expectError(assert, dupId, 409, 'conflict', '/id_no');
  assert.ok(!dupId.text.includes(p.id_no), 'the ID number is not echoed');
  assert.match(dupId.json.error.message, /已注册/);
  // The demo enterprise's credit code.
  const f = firm();
  const dupCode = await api(srv, 'POST', '/api/v1/register', { body: { ...f, credit_code: '91341524MA2N0D1M0Q' } });
  expectError(assert, dupCode, 409, 'conflict', '/credit_code');
  assert.ok(!dupCode.text.includes('91341524MA2N0D1M0Q'));
  // The refused one did not get the other's account.
  expectError(assert, await api(srv, 'POST', '/api/v1/sessions', { body: { login: other.phone, password: other.password } }), 401);

  const admin = await login(srv, 'admin');
  const rows = await auditUntil(admin, 'action=user.register&outcome=denied', (x) =>
    x.some((y) => y.request_id === dupCode.headers.get('x-request-id')));
  const reasons = new Map(rows.map((x) => [x.request_id, x.detail.reason]));
  assert.equal(reasons.get(dupLogin.headers.get('x-request-id')), 'login_taken');
  assert.equal(reasons.get(dupId.headers.get('x-request-id')), 'id_no_registered');
  assert.equal(reasons.get(dupCode.headers.get('x-request-id')), 'credit_code_registered');
  const text = JSON.stringify(rows);
  assert.ok(!text.includes(p.id_no.slice(4, 14)) && !text.includes(other.phone) && !text.includes('MA2N0D1M0Q'), text);
  for (const x of rows) assert.equal(x.actor.login, null, 'nothing typed is kept');
});

// ---- password change ---------------------------------------------------------

test('changing the password: refusals, then other sessions end and this one stays', async () => {
  const p = person();
  const reg = await api(srv, 'POST', '/api/v1/register', { body: p });
  assert.equal(reg.status, 201, reg.text);
  const a = await signIn(p.phone, p.password);
  const b = await signIn(p.phone, p.password);
  const c = await signIn(p.phone, p.password);
  const change = (s, body) => api(srv, 'POST', '/api/v1/me/password', { token: s.token, body });
  const NEW = 'Changed-Password-77';

  expectError(assert, await change(a, { old_password: 'Not-The-Password-1', new_password: NEW }), 422, 'invalid', '/old_password');
  expectError(assert, await change(a, { old_password: p.password, new_password: 'weak' }), 422, 'invalid', '/new_password');
  expectError(assert, await change(a, { old_password: p.password, new_password: p.password }), 422, 'invalid', '/new_password');
  expectError(assert, await change(a, { old_password: p.password }), 422, 'invalid', '/new_password');
  expectError(assert, await api(srv, 'POST', '/api/v1/me/password', { body: { old_password: p.password, new_password: NEW } }), 401, 'unauthorized');
  // Nothing changed yet: every session works.
  for (const s of [a, b, c]) assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200);

  const ok = await change(a, { old_password: p.password, new_password: NEW });
  assert.equal(ok.status, 204, ok.text);
  checkHeaders(ok, 'password 204');
  // This session stays (same token, same CSRF token); the others are gone,
  // as bearer tokens and as cookies.
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: a.token })).status, 200);
  const cur = await api(srv, 'GET', '/api/v1/sessions/current', { token: a.token });
  assert.equal(cur.json.csrf_token, a.csrf);
  expectError(assert, await api(srv, 'GET', '/api/v1/me', { token: b.token }), 401, 'unauthorized');
  expectError(assert, await api(srv, 'GET', '/api/v1/me', { headers: { cookie: c.cookie } }), 401, 'unauthorized');
  // Old password out, new one in.
  expectError(assert, await api(srv, 'POST', '/api/v1/sessions', { body: { login: p.phone, password: p.password } }), 401);
  await signIn(p.phone, NEW);

  const admin = await login(srv, 'admin');
  const rows = await auditUntil(admin, `action=password.change&actor=${reg.json.id}`, (x) => x.some((y) => y.outcome === 'ok'));
  assert.equal(rows.find((y) => y.outcome === 'ok').detail.sessions_revoked, 2);
  assert.ok(rows.some((y) => y.outcome === 'failed'), 'the wrong old password is recorded');
  assert.ok(!JSON.stringify(rows).includes('Changed-Password') && !JSON.stringify(rows).includes('Not-The-Password'));
});

test('registration and password change run on the worker queue: health answers meanwhile', async () => {
  const s3 = await startServer({ extraArgs: ['--threads', '1', '--workers', '1'] });
  try {
    const people = [person(), person(), person()];
    const tok = (await api(s3, 'POST', '/api/v1/sessions', { body: { login: 'citizen', password: DEMO_PASSWORD } })).json.token;
    let last = 0;
    const slow = [
      ...people.map((p) => api(s3, 'POST', '/api/v1/register', { body: p }).then((r) => { assert.equal(r.status, 201, r.text); last = Date.now(); })),
      ...[1, 2].map(() => api(s3, 'POST', '/api/v1/me/password', { token: tok, body: { old_password: 'Wrong-Old-Password-1', new_password: 'Fresh-Password-2026' } })
        .then((r) => { assert.equal(r.status, 422, r.text); last = Date.now(); })),
    ];
    await new Promise((r) => setTimeout(r, 20));
    const h = await api(s3, 'GET', '/healthz');
    const healthDone = Date.now();
    assert.equal(h.status, 200);
    await Promise.all(slow);
    assert.ok(healthDone < last, 'health answered while argon2 work was still queued on the worker');
  } finally {
    assert.equal(await s3.stop(), 0);
  }
});

// ---- CSRF --------------------------------------------------------------------

test('cookie writes need the CSRF token; bearer writes and reads do not', async () => {
  const s = await signIn('admin');
  const stamp = `${process.pid}${Date.now()}`;
  const body = (n) => ({ kind: 'township_centre', name: `CSRF测试中心${stamp}${n}`, region: '341524100000' });
  const post = (n, headers) => api(srv, 'POST', '/api/v1/orgs', { body: body(n), headers });

  const none = await post('a', { cookie: s.cookie });
  expectError(assert, none, 403, 'csrf', 'X-CSRF-Token');
  checkHeaders(none, 'csrf 403');
  expectError(assert, await post('b', { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43) }), 403, 'csrf');
  expectError(assert, await post('c', { cookie: s.cookie, 'x-csrf-token': s.csrf.slice(1) }), 403, 'csrf');
  const other = await signIn('admin');
  expectError(assert, await post('d', { cookie: s.cookie, 'x-csrf-token': other.csrf }), 403, 'csrf', undefined);
  let names = await orgNames(s.token);
  for (const n of 'abcd') assert.ok(!names.includes(body(n).name), `refused write ${n} stored nothing`);

  const good = await post('e', { cookie: s.cookie, 'x-csrf-token': s.csrf });
  assert.equal(good.status, 201, good.text);
  const bearer = await api(srv, 'POST', '/api/v1/orgs', { token: s.token, body: body('f') });
  assert.equal(bearer.status, 201, 'a bearer write needs no CSRF token');
  names = await orgNames(s.token);
  assert.ok(names.includes(body('e').name) && names.includes(body('f').name));

  // Reads need none; the current session shows the token either way.
  const me = await api(srv, 'GET', '/api/v1/me', { headers: { cookie: s.cookie } });
  assert.equal(me.status, 200);
  const viaCookie = await api(srv, 'GET', '/api/v1/sessions/current', { headers: { cookie: s.cookie } });
  assert.equal(viaCookie.status, 200);
  assert.deepEqual([viaCookie.json.csrf_token, viaCookie.json.via], [s.csrf, 'cookie']);
  const viaBearer = await api(srv, 'GET', '/api/v1/sessions/current', { token: s.token });
  assert.deepEqual([viaBearer.json.csrf_token, viaBearer.json.via], [s.csrf, 'bearer']);

  // The form field _csrf (page forms): sign-out without a token is refused
  // and the session lives on; with the field it ends.
  const form = (v) => api(srv, 'DELETE', '/api/v1/sessions/current', {
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, raw: v,
  });
  expectError(assert, await form('a=1'), 403, 'csrf');
  expectError(assert, await form(`a=1&_csrf=${other.csrf}`), 403, 'csrf');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200, 'still signed in');
  const out = await form(`a=1&_csrf=${encodeURIComponent(s.csrf)}&b=2`);
  assert.equal(out.status, 204, out.text);
  expectError(assert, await api(srv, 'GET', '/api/v1/me', { token: s.token }), 401);

  // A public route with a cookie but no token goes on anonymously: a
  // sign-in form posted by someone signed in already still works.
  const again = await api(srv, 'POST', '/api/v1/sessions', { headers: { cookie: other.cookie }, body: { login: 'citizen', password: DEMO_PASSWORD } });
  assert.equal(again.status, 201, again.text);

  // The refusal is an access.denied row.
  const rows = await auditUntil(other.token, `action=access.denied&actor=admin`, (x) =>
    x.some((y) => y.request_id === none.headers.get('x-request-id')));
  assert.equal(rows.find((y) => y.request_id === none.headers.get('x-request-id')).detail.route, '/api/v1/orgs');
});

// ---- CORS and headers --------------------------------------------------------

test('CORS is closed: no Access-Control headers, preflight refused', async () => {
  const pre = await api(srv, 'OPTIONS', '/api/v1/orgs', {
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-csrf-token' },
  });
  assert.ok(pre.status >= 400 && pre.status < 500, `preflight answered ${pre.status}`);
  checkHeaders(pre, 'preflight');
  const pre2 = await api(srv, 'OPTIONS', '/api/v1/sessions', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  expectError(assert, pre2, 405, 'method_not_allowed');
  checkHeaders(pre2, 'preflight sessions');
  const got = await api(srv, 'GET', '/api/v1/regions/341500000000', { headers: { origin: 'https://evil.example' } });
  assert.equal(got.status, 200);
  checkHeaders(got, 'GET with Origin');
  const s = await signIn('citizen');
  checkHeaders(s.login, 'sign-in 201');
  const cross = await api(srv, 'GET', '/api/v1/me', { token: s.token, headers: { origin: 'https://evil.example' } });
  checkHeaders(cross, 'signed-in GET with Origin');
});

test('the security headers are on every kind of answer, errors included', async () => {
  const citizen = await login(srv, 'citizen');
  const cases = [
    ['200', await api(srv, 'GET', '/healthz'), 200],
    ['304', await api(srv, 'GET', '/api/v1/regions/341500000000', { headers: { 'if-none-match': (await api(srv, 'GET', '/api/v1/regions/341500000000')).headers.get('etag') } }), 304],
    ['400', await api(srv, 'GET', '/api/v1/regions?q=%FF'), 400],
    ['401', await api(srv, 'GET', '/api/v1/me'), 401],
    ['401 bad bearer', await api(srv, 'GET', '/api/v1/me', { token: 'x'.repeat(43) }), 401],
    ['403', await api(srv, 'GET', '/api/v1/audit', { token: citizen }), 403],
    ['404', await api(srv, 'GET', '/nope'), 404],
    ['405', await api(srv, 'PUT', '/healthz'), 405],
    ['413', await api(srv, 'POST', '/api/v1/register', { body: { name: 'x'.repeat(70000) } }), 413],
    ['415', await api(srv, 'POST', '/api/v1/register', { raw: 'a=1', headers: { 'content-type': 'text/plain' } }), 415],
    ['422', await api(srv, 'POST', '/api/v1/register', { body: {} }), 422],
  ];
  for (const [what, r, status] of cases) {
    assert.equal(r.status, status, `${what}: ${r.text}`);
    checkHeaders(r, what);
  }
});

// ---- what a failed sign-in keeps --------------------------------------------

test('a password typed into the login field is kept nowhere: a keyed fingerprint stands for it', async () => {
  const typed = `Typed-Secret-${process.pid}`;
  const tries = [];
  for (let i = 0; i < 3; i++) {
    const r = await api(srv, 'POST', '/api/v1/sessions', { body: { login: typed, password: 'whatever-else' } });
    expectError(assert, r, 401, 'unauthorized');
    tries.push(r);
  }
  // The throttle still counts the same name: the 4th at once is cooling down.
  const cool = await api(srv, 'POST', '/api/v1/sessions', { body: { login: typed, password: 'whatever-else' } });
  expectError(assert, cool, 429, 'rate_limited');
  // A different unknown name is not affected.
  expectError(assert, await api(srv, 'POST', '/api/v1/sessions', { body: { login: `${typed}-b`, password: 'x' } }), 401);

  const admin = await login(srv, 'admin');
  const ids = new Set([...tries, cool].map((r) => r.headers.get('x-request-id')));
  const rows = (await auditUntil(admin, 'action=session.fail&limit=200', (x) => x.filter((y) => ids.has(y.request_id)).length === 4))
    .filter((y) => ids.has(y.request_id));
  const fps = new Set(rows.map((y) => y.actor.login));
  assert.equal(fps.size, 1, `one fingerprint for one typed name: ${[...fps]}`);
  const [fp] = fps;
  assert.match(fp, /^#[0-9a-f]{32}$/);
  assert.deepEqual(rows.map((y) => y.outcome).sort(), ['denied', 'failed', 'failed', 'failed']);
  const all = JSON.stringify((await api(srv, 'GET', '/api/v1/audit?action=session.*&limit=200', { token: admin })).json);
  assert.ok(!all.toLowerCase().includes('typed-secret'), 'the typed text is not in the audit log');

  // Nor in the database: the throttle row is keyed by the fingerprint.
  const dump = DRIVER === 'sqlite'
    ? dbQuery('SELECT login FROM login_failures; SELECT actor_login, detail FROM audit_log;')
    : dbQuery("SELECT login FROM login_failures UNION ALL SELECT coalesce(actor_login, '') || ' ' || coalesce(detail, '') FROM audit_log");
  assert.ok(!dump.toLowerCase().includes('typed-secret'), 'the typed text is not stored');
  assert.ok(dump.includes(fp), 'the throttle row is the fingerprint');

  // A known account's failure keeps its login (the audit test checks the rest).
  await api(srv, 'POST', '/api/v1/sessions', { body: { login: 'city_editor', password: 'Wrong-Password-9' } });
  await auditUntil(admin, 'action=session.fail&actor=city_editor', (x) => x.length > 0);
});

// ---- a thousand wrong passwords ----------------------------------------------

test('a thousand wrong passwords over HTTP: none gets in, few are even hashed, others are served meanwhile', async () => {
  const s4 = await startServer();
  try {
    const victim = 'jinzhai_decider';
    let next = 0;
    let flooding = true;
    const statuses = {};
    const flood = async () => {
      while (next < 1000) {
        const i = next++;
        const r = await api(s4, 'POST', '/api/v1/sessions', { body: { login: victim, password: `Guess-${i}-Xy-2026` } });
        statuses[r.status] = (statuses[r.status] || 0) + 1;
      }
    };
    const attackers = Promise.all(Array.from({ length: 32 }, flood)).then(() => { flooding = false; });
    // Meanwhile another person signs in and reads their account.
    await new Promise((r) => setTimeout(r, 100));
    const by = await api(s4, 'POST', '/api/v1/sessions', { body: { login: 'jinzhai_clerk', password: DEMO_PASSWORD } });
    assert.equal(by.status, 201, by.text);
    const me = await api(s4, 'GET', '/api/v1/me', { token: by.json.token });
    assert.equal(me.status, 200);
    const servedDuringFlood = flooding;
    await attackers;
    assert.equal(statuses[201], undefined, `a guess got in: ${JSON.stringify(statuses)}`);
    assert.equal((statuses[401] || 0) + (statuses[429] || 0), 1000, JSON.stringify(statuses));
    // Only guesses before the throttle engages cost a hash (401); every
    // later one is refused before hashing (429).
    assert.ok(statuses[401] <= 5 + 32, `hashed guesses: ${JSON.stringify(statuses)}`);
    assert.ok(servedDuringFlood, 'the other person was served while the guesses were still coming');
  } finally {
    assert.equal(await s4.stop(), 0);
  }
});
