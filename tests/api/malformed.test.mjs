// malformed.test.mjs — hostile input on every route (STYLE.md habit 14):
// every route that `bianmin routes` lists, with its path parameters
// replaced by valid-looking and hostile values, anonymous and as the demo
// system administrator, gets no body, empty and wrong-typed JSON, deep
// nesting, oversized strings and lists, invalid UTF-8, NUL bytes, the wrong
// Content-Type, duplicate keys and garbage query strings. Every answer must
// be a 4xx in the one error shape — a GET may also answer 2xx, the
// harmless success of a valid read — never a 5xx; the server must still
// answer /healthz, nothing stored may have changed (orgs with halls and
// windows, the region tree, the calendar years, compared before and
// after), and the sanitized server must stop with status 0.
//
// Requests go through node:http, not fetch, so that the path and the body
// reach the server byte for byte (fetch normalises "../", re-encodes
// non-ASCII, refuses a body on GET).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, cli, login } from './lib.mjs';

let srv;
let token;
let agent;
before(async () => {
  srv = await startServer();
  token = await login(srv, 'admin');
  agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
});
after(async () => {
  agent.destroy();
  const code = await srv.stop();
  // Show the sanitizer's report if there is one, not just the log's tail.
  const log = srv.log();
  const at = log.search(/ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/);
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${at >= 0 ? log.slice(at, at + 6000) : log.slice(-3000)}`);
});

// ---- raw HTTP ----------------------------------------------------------------

// send — one request, path sent as given. Resolves {status, text, json}, or
// {status: 'reset'} when the server closed the connection (allowed only
// for a body over the limit, which is refused before it is read).
function send(method, path, { body, type, auth } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (type) headers['content-type'] = type;
    if (auth) headers.authorization = `Bearer ${auth}`;
    const buf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (buf) headers['content-length'] = buf.length;
    const req = http.request(`${srv.base}${path}`, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode, text, json, path, type: res.headers['content-type'] });
      });
    });
    req.setTimeout(20000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', (e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 'reset', text: e.code }) : reject(e)));
    if (buf) req.write(buf);
    req.end();
  });
}

// pool — run async thunks, at most n at a time; resolves to their results.
// Every thunk runs; if any failed, one error lists the first 25 failures.
async function pool(thunks, n = 8) {
  const out = new Array(thunks.length);
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < thunks.length) {
      const i = next++;
      try {
        out[i] = await thunks[i]();
      } catch (e) {
        failures.push(e.message.split('\n')[0]);
      }
    }
  }
  await Promise.all(Array.from({ length: n }, worker));
  if (failures.length) {
    throw new Error(`${failures.length} of ${thunks.length} failed:\n  ${failures.slice(0, 25).join('\n  ')}`);
  }
  return out;
}

// ---- the routes and what to send them ----------------------------------------

function routes() {
  const r = cli(srv.db.url, 'routes');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => {
    const [method, pattern, kind] = l.trim().split(/\s+/);
    return { method, pattern, page: kind === 'page' };
  });
}

// Hostile path segments, as sent (already URL-encoded where a client would).
const HOSTILE_SEGMENTS = [
  '0', '-1', '99999999999999999999', '%FF', '%00', '%C3', 'x'.repeat(300),
  encodeURIComponent('Ａ'.repeat(300)), '../etc', '..%2F..%2Fetc%2Fpasswd',
  encodeURIComponent('ＡＢＣ'), encodeURIComponent("1' OR '1'='1"),
];

// A valid-looking value per parameter name. Writes get one that names
// nothing (a write must not succeed: nothing stored may change); reads get
// one that exists, so that a valid read answers 200.
function validLooking(name, isRead) {
  switch (name) {
    case 'code': return '341524000000';
    case 'year': return isRead ? '2024' : '2031';
    case 'id': return isRead ? '1' : '999999';
    default: return isRead ? 'a' : encodeURIComponent('恶意输入测试不存在');
  }
}

function fill(pattern, seg) {
  return pattern.replace(/\{[^}]+\}/g, (m) => (typeof seg === 'function' ? seg(m.slice(1, -1)) : seg));
}

const GARBAGE_QUERIES = [
  '?%FF=1', '?q=%FF%FE', '?q=%E4%B8', '?level=%00', '?limit=-1&limit=abc',
  '?limit=99999999999999999999', '?after=99999999999999999999', '?after=-5',
  '?workdays=1e9&from=2024-13-45', '?from=2024-02-30&workdays=1',
  `?q=${'x'.repeat(4000)}`, '?=&&&==&%3D', `?within=${encodeURIComponent("1' OR '1'='1")}`,
  '?region=34%00&kind=%FF', `?q=${encodeURIComponent('ＡＢＣ'.repeat(40))}`,
];

const JSON_TYPE = 'application/json';
// Bodies any route may get. [name, body, content-type]
const GENERIC_BODIES = [
  ['no body', undefined, undefined],
  ['no body, JSON type', undefined, JSON_TYPE],
  ['empty', '', JSON_TYPE],
  ['empty object', '{}', JSON_TYPE],
  ['null', 'null', JSON_TYPE],
  ['array', '[1,2,3]', JSON_TYPE],
  ['string', '"x"', JSON_TYPE],
  ['number', '12', JSON_TYPE],
  ['truncated', '{"name": ', JSON_TYPE],
  ['trailing garbage', '{} x', JSON_TYPE],
  ['deep arrays', `{"a":${'['.repeat(40)}${']'.repeat(40)}}`, JSON_TYPE],
  ['very deep', `{"a":${'['.repeat(20000)}${']'.repeat(20000)}}`, JSON_TYPE],
  ['deep objects', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`, JSON_TYPE],
  ['unbalanced closers', `${']'.repeat(50)}{"a":${'['.repeat(60)}`, JSON_TYPE],
  ['long string', JSON.stringify({ name: 'x'.repeat(70000) }), JSON_TYPE],
  ['long list', JSON.stringify({ days: Array(1001).fill(1) }), JSON_TYPE],
  ['many keys', JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))), JSON_TYPE],
  ['long key', JSON.stringify({ ['键'.repeat(40)]: 1 }), JSON_TYPE],
  ['long nested keys', `{"${'键'.repeat(21)}":{"${'键'.repeat(21)}":{"${'键'.repeat(21)}":[]}}}`, JSON_TYPE],
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), JSON_TYPE],
  ['overlong UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]), Buffer.from('"}')]), JSON_TYPE],
  ['surrogate bytes', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), JSON_TYPE],
  ['escaped lone surrogate', '{"name":"\\ud800"}', JSON_TYPE],
  ['escaped NUL', '{"name":"a\\u0000b"}', JSON_TYPE],
  ['raw NUL', Buffer.from('{"name":"a\u0000b"}'), JSON_TYPE],
  ['NUL before the body', Buffer.from('\u0000{}'), JSON_TYPE],
  ['control characters', '{"name":"a\\u0001\\u007f"}', JSON_TYPE],
  ['duplicate keys', '{"name":"a","name":"b"}', JSON_TYPE],
  ['huge numbers', '{"id":1e999,"revision":99999999999999999999999,"year":-0}', JSON_TYPE],
  ['text/plain', '{}', 'text/plain'],
  ['form', 'name=x&region=34', 'application/x-www-form-urlencoded'],
  ['multipart', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n', 'multipart/form-data; boundary=b'],
  ['JSON-ish type', '{}', 'application/jsonx'],
  ['JSON type, bad charset', '{}', 'application/json; charset=gbk'],
];

// The fields each JSON route reads, with their type (docs/openapi.yaml).
// A route missing here gets the generic names below.
const FIELDS = {
  'PUT /api/v1/calendar/{year}': { year: 'integer', days: 'array' },
  'POST /api/v1/orgs': {
    kind: 'string', name: 'string', short_name: 'string', region: 'string', parent_id: 'integer',
    credit_code: 'string', address: 'string', phone: 'string', hours: 'string', halls: 'array',
  },
  'PATCH /api/v1/orgs/{id}': {
    kind: 'string', name: 'string', short_name: 'string', region: 'string', parent_id: 'integer',
    credit_code: 'string', address: 'string', phone: 'string', hours: 'string', revision: 'integer',
  },
  'POST /api/v1/orgs/{id}/halls': { name: 'string', address: 'string', hours: 'string', windows: 'array' },
  'PATCH /api/v1/halls/{id}': { name: 'string', address: 'string', hours: 'string', revision: 'integer' },
  'POST /api/v1/halls/{id}/windows': { number: 'string', name: 'string', kind: 'string', dept_id: 'integer', active: 'boolean' },
  'PATCH /api/v1/windows/{id}': { number: 'string', name: 'string', kind: 'string', dept_id: 'integer', active: 'boolean', revision: 'integer' },
  'POST /api/v1/sessions': { login: 'string', password: 'string' },
  'POST /api/v1/register': {
    kind: 'string', name: 'string', id_no: 'string', credit_code: 'string', phone: 'string', login: 'string', password: 'string',
  },
  'POST /api/v1/me/password': { old_password: 'string', new_password: 'string' },
};
const GENERIC_FIELDS = { name: 'string', code: 'string', region: 'string', kind: 'string', id: 'integer', items: 'array', expansions: 'array' };

// A body each route would accept but for the field under test, so that
// the wrong type is what gets refused. The org is outside any real parent
// and writes name ids that do not exist, so none of these could be stored
// even if the one wrong field were let through (the 4xx check would fail
// first and say so).
const BASES = {
  // The same day twice: refused by the calendar's rules, which run after
  // every type check, so the one wrong field is still what is reported.
  'PUT /api/v1/calendar/{year}': {
    year: 2031,
    days: [{ name: '元旦', date: '2031-01-01', isOffDay: true }, { name: '元旦', date: '2031-01-01', isOffDay: true }],
  },
  'POST /api/v1/orgs': {
    kind: 'department', name: '恶意输入测试局', region: '341522000000', parent_id: 999999,
    credit_code: '11341522MB1234567F', address: '测试路 1 号', phone: '0564-6012345', hours: '周一至周五',
  },
  'POST /api/v1/orgs/{id}/halls': { name: '测试大厅' },
  'POST /api/v1/halls/{id}/windows': { number: 'Z99', name: '测试窗口' },
  'POST /api/v1/sessions': { login: 'nobody-malformed', password: 'x' },
  // Wrong check digit, no mobile number, weak password: never registers.
  'POST /api/v1/register': { kind: 'citizen', name: '恶意输入测试', id_no: '341524199001011230', phone: '12345', password: 'x' },
  // The new password is refused before the old one is verified, so the
  // admin's account never counts a failed sign-in here.
  'POST /api/v1/me/password': { old_password: 'x', new_password: 'weak' },
};

const WRONG = {
  string: [12345, -1.5, true, [], ['x'], {}, { a: 1 }],
  integer: ['1', 1.5, true, [], [1], {}, { a: 1 }, 1e300, -1, 0],
  boolean: ['true', 1, 0, [], {}, null],
  array: ['x', 1, true, {}, { 0: 1 }, [null], [1, 'x', [], {}], [[[[[]]]]]],
};

function wrongBodies(key) {
  const fields = FIELDS[key] || GENERIC_FIELDS;
  const out = [];
  for (const [f, type] of Object.entries(fields)) {
    for (const v of WRONG[type]) {
      out.push([`${f} alone = ${JSON.stringify(v).slice(0, 20)}`, JSON.stringify({ [f]: v }), f]);
      if (BASES[key]) out.push([`${f} = ${JSON.stringify(v).slice(0, 20)}`, JSON.stringify({ ...BASES[key], [f]: v }), f]);
    }
    // null for a required field is a missing field; for an optional one it
    // is valid ("clear it"), so it only goes alone, without the rest.
    out.push([`${f} alone = null`, JSON.stringify({ [f]: null }), f]);
  }
  out.push(['unknown field', JSON.stringify({ ...(BASES[key] || {}), 'no_such_field': 1 }), 'no_such_field']);
  return out;
}

// ---- checks ------------------------------------------------------------------

// isPagePath — the server answers HTML here (src/web/web.h web_is_page):
// anything outside /api/ but /healthz.
function isPagePath(p) {
  const bare = p.split('?')[0];
  return !bare.startsWith('/api/') && bare !== '/api' && bare !== '/healthz';
}

// A write that answers 2xx to one of these inputs must be a documented,
// harmless no-op (nothing stored changes, which the last test checks):
// 'METHOD /pattern' -> names of GENERIC_BODIES cases. Empty: none is.
const DOCUMENTED_NOOPS = {};

function checkAnswer(what, method, r, { maybeReset = false, noop = false } = {}) {
  if (r.status === 'reset') {
    assert.ok(maybeReset, `${what}: connection reset`);
    return;
  }
  assert.ok(r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  if (r.status >= 200 && r.status < 300) {
    assert.ok(method === 'GET' || noop, `${what}: a write answered ${r.status} ${r.text.slice(0, 300)}`);
    return;
  }
  assert.ok(r.status >= 400, `${what}: ${r.status}`);
  if (isPagePath(r.path)) {
    // Web pages (and unknown paths outside /api/) answer an HTML page in
    // Chinese carrying the error code and the message.
    assert.match(r.type || '', /^text\/html; charset=utf-8/, `${what}: ${r.status} ${r.type}`);
    assert.match(r.text, /data-code="[a-z_]+"/, `${what}: no error code in ${r.text.slice(0, 300)}`);
    assert.match(r.text, /<p class="message"[^>]*>[^<]+<\/p>/, `${what}: no message in ${r.text.slice(0, 300)}`);
    return;
  }
  const e = r.json && r.json.error;
  assert.ok(e, `${what}: not the error shape: ${r.status} ${r.text.slice(0, 300)}`);
  for (const k of ['code', 'field', 'message']) assert.equal(typeof e[k], 'string', `${what}: error.${k} in ${r.text.slice(0, 300)}`);
  assert.ok(e.code.length > 0 && e.message.length > 0, `${what}: ${r.text.slice(0, 300)}`);
}

// ---- what is stored ----------------------------------------------------------

async function get(path) {
  const r = await send('GET', path, { auth: token });
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json;
}

async function snapshot(allRoutes) {
  const s = { orgs: [], regions: {}, calendar: {}, lists: {} };
  for (let after = 0; ;) {
    const page = await get(`/api/v1/orgs?limit=200${after ? `&after=${after}` : ''}`);
    s.orgs.push(...page.items);
    if (!page.next_after) break;
    after = page.next_after;
  }
  s.orgDetails = await pool(s.orgs.map((o) => () => get(`/api/v1/orgs/${o.id}`)));
  // The region tree down to townships: each node's children.
  let level = (await get('/api/v1/regions')).children.map((c) => c.code);
  while (level.length) {
    const kids = await pool(level.map((code) => () => get(`/api/v1/regions/${code}/children`)));
    const next = [];
    kids.forEach((k, i) => {
      s.regions[level[i]] = k.children.map((c) => `${c.code} ${c.name}`);
      for (const c of k.children) if (c.level < 5) next.push(c.code);
    });
    level = next;
  }
  for (let y = 2015; y <= 2032; y++) {
    const r = await send('GET', `/api/v1/calendar/${y}`);
    s.calendar[y] = r.status === 200 ? r.json : r.status;
  }
  // Other parameterless lists other helpers add (synonyms…), read as admin.
  for (const rt of allRoutes) {
    if (rt.method === 'GET' && !rt.pattern.includes('{') && /^\/api\/v1\/(synonyms)$/.test(rt.pattern)) {
      s.lists[rt.pattern] = (await send('GET', rt.pattern, { auth: token })).text;
    }
  }
  return s;
}

// ---- the tests ---------------------------------------------------------------

let all;
let before0;

test('snapshot before: orgs, regions, calendar', async () => {
  all = routes();
  assert.ok(all.length >= 20, `routes: ${all.length}`);
  before0 = await snapshot(all);
  assert.ok(before0.orgs.length > 0, 'demo orgs');
  assert.ok(Object.keys(before0.regions).length > 100, 'demo regions');
});

// DELETE /api/v1/sessions/current signs the caller out whatever the input:
// with the admin token it would end the session the rest of this file uses.
// It is sent anonymously and with a forged token instead.
const SIGNS_OUT = 'DELETE /api/v1/sessions/current';

test('hostile path parameters and garbage query strings: 4xx (or a harmless 2xx read), never 5xx', async () => {
  const jobs = [];
  for (const rt of all) {
    const key = `${rt.method} ${rt.pattern}`;
    const auths = key === SIGNS_OUT ? [null, 'forged-token'] : [null, token];
    const isRead = rt.method === 'GET';
    const paths = rt.pattern.includes('{')
      ? HOSTILE_SEGMENTS.map((s) => fill(rt.pattern, s))
      : [rt.pattern];
    const valid = fill(rt.pattern, (n) => validLooking(n, isRead));
    for (const q of GARBAGE_QUERIES) paths.push(valid + q);
    // Past the end of the route: an unknown path, echoed in the 404 (a
    // long one once split a character and made the answer a 500).
    for (const s of ['x'.repeat(300), encodeURIComponent('Ａ'.repeat(300)), '%FF', '']) paths.push(`${valid}/${s}`);
    for (const p of paths) {
      for (const auth of auths) {
        const body = isRead || rt.method === 'DELETE' ? undefined : '{}';
        jobs.push(async () => {
          const r = await send(rt.method, p, { auth, body, type: body && JSON_TYPE });
          const noop = (DOCUMENTED_NOOPS[key] || []).includes('empty object');
          checkAnswer(`${rt.method} ${p.slice(0, 120)} ${auth ? '(admin)' : '(anonymous)'}`, rt.method, r, { noop });
        });
      }
    }
  }
  await pool(jobs);
});

test('malformed, deep, oversized, non-UTF-8, NUL-bearing and wrongly typed bodies: 4xx, never 5xx', async () => {
  const jobs = [];
  for (const rt of all) {
    const key = `${rt.method} ${rt.pattern}`;
    const auths = key === SIGNS_OUT ? [null, 'forged-token'] : [null, token];
    const isRead = rt.method === 'GET';
    const p = fill(rt.pattern, (n) => validLooking(n, isRead));
    const hasBody = !['GET', 'DELETE'].includes(rt.method);
    const bodies = hasBody ? GENERIC_BODIES : GENERIC_BODIES.filter(([n]) => ['no body', 'invalid UTF-8', 'raw NUL', 'long string', 'text/plain'].includes(n));
    for (const auth of auths) {
      for (const [name, body, type] of bodies) {
        jobs.push(async () => {
          const r = await send(rt.method, p, { auth, body, type });
          const noop = (DOCUMENTED_NOOPS[key] || []).includes(name);
          checkAnswer(`${key} [${name}] ${auth ? '(admin)' : '(anonymous)'}`, rt.method, r, { noop });
        });
      }
    }
    if (!hasBody) continue;
    // Wrong types, field by field: with the admin token (anonymous is 401
    // before the body is read). A 422 or 413 names the field at fault.
    for (const [name, body, field] of wrongBodies(key)) {
      jobs.push(async () => {
        const r = await send(rt.method, p, { auth: token, body, type: JSON_TYPE });
        const what = `${key} [${name}]`;
        checkAnswer(what, rt.method, r);
        // (The calendar file format ignores keys it does not know.)
        const checked = !name.includes(' alone') && !(name === 'unknown field' && key.includes('/calendar/'));
        if (FIELDS[key] && BASES[key] && checked && (r.status === 422 || r.status === 413)) {
          assert.ok(r.json.error.field.startsWith(`/${field}`), `${what}: field ${JSON.stringify(r.json.error.field)}, want /${field}…: ${r.text.slice(0, 300)}`);
        }
      });
    }
  }
  await pool(jobs);
});

test('a body over the 1 MiB limit is refused on every write route', async () => {
  const big = Buffer.alloc(1536 * 1024, 'x');
  for (const rt of all.filter((x) => !['GET', 'DELETE'].includes(x.method))) {
    const p = fill(rt.pattern, (n) => validLooking(n, false));
    const r = await send(rt.method, p, { auth: token, body: big, type: JSON_TYPE });
    checkAnswer(`${rt.method} ${p} [1.5 MiB]`, rt.method, r, { maybeReset: true });
    if (r.status !== 'reset') assert.equal(r.status, 413);
  }
});

test('afterwards: the server answers, the admin session still works, nothing stored changed', async () => {
  const h = await send('GET', '/healthz?ready=1');
  assert.equal(h.status, 200);
  const me = await send('GET', '/api/v1/me', { auth: token });
  assert.equal(me.status, 200, me.text);
  const now = await snapshot(all);
  assert.deepEqual(now.orgs, before0.orgs, 'organisations');
  assert.deepEqual(now.orgDetails, before0.orgDetails, 'halls and windows');
  assert.deepEqual(now.regions, before0.regions, 'region tree');
  assert.deepEqual(now.calendar, before0.calendar, 'calendar years');
  assert.deepEqual(now.lists, before0.lists, 'other lists');
});
