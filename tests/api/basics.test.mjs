// basics.test.mjs — the server's contract with every client: health, one
// error shape, limits, UTF-8, security headers, the OpenAPI document, and
// a clean stop on SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, api, cli, expectError } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${srv.log().slice(-3000)}`);
});

test('healthz answers ok, and ?ready=1 checks the database', async () => {
  const r = await api(srv, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  const ready = await api(srv, 'GET', '/healthz?ready=1');
  assert.equal(ready.status, 200);
});

test('unknown path is 404 and wrong method is 405 with Allow, in the one error shape', async () => {
  expectError(assert, await api(srv, 'GET', '/api/v1/nothing-here'), 404, 'not_found', '');
  const r = await api(srv, 'DELETE', '/api/v1/regions/341524000000');
  expectError(assert, r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /GET/);
  assert.ok(r.json.error.request_id, 'request id in the body');
  assert.equal(r.headers.get('x-request-id'), r.json.error.request_id);
});

test('every answer carries the security headers', async () => {
  for (const p of ['/healthz', '/api/v1/regions/341500000000', '/nope']) {
    const r = await api(srv, 'GET', p);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/, p);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', p);
    assert.equal(r.headers.get('access-control-allow-origin'), null, `CORS closed: ${p}`);
  }
});

test('JSON bodies: wrong type 415, malformed 400, bad UTF-8 400, too deep / too long / too many 413', async () => {
  const p = '/api/v1/sessions';
  expectError(assert, await api(srv, 'POST', p, { raw: 'login=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type', 'Content-Type');
  expectError(assert, await api(srv, 'POST', p, { raw: '{"login": ', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
  expectError(assert, await api(srv, 'POST', p, { raw: '', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
  expectError(assert, await api(srv, 'POST', p, { raw: '[1,2]', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
  const bad = Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  const r = await api(srv, 'POST', p, { raw: bad, headers: { 'content-type': 'application/json' } });
  expectError(assert, r, 400, 'bad_request');
  assert.match(r.json.error.message, /UTF-8/);
  const deep = '['.repeat(40) + ']'.repeat(40);
  expectError(assert, await api(srv, 'POST', p, { raw: `{"x":${deep}}`, headers: { 'content-type': 'application/json' } }), 413, 'too_large');
  expectError(assert, await api(srv, 'POST', p, { body: { login: 'x'.repeat(70000), password: 'y' } }), 413, 'too_large', '/login');
  expectError(assert, await api(srv, 'POST', p, { body: { login: 'a', list: Array(1001).fill(1) } }), 413, 'too_large', '/list');
  expectError(assert, await api(srv, 'POST', p, { body: { login: 'a', password: 'b' }, raw: undefined, headers: { 'content-type': 'text/plain' } }), 415);
});

test('a body over 1 MiB is refused with 413 before it is read', async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  let r;
  try {
    r = await api(srv, 'POST', '/api/v1/sessions', { raw: big, headers: { 'content-type': 'application/json' } });
  } catch (e) {
    // The server may close the connection while the client still sends.
    return;
  }
  expectError(assert, r, 413, 'too_large');
});

test('headers over 16 KiB are refused with a clear 4xx', async () => {
  const r = await api(srv, 'GET', '/healthz', { headers: { 'x-filler': 'a'.repeat(20000) } });
  assert.ok(r.status === 431 || r.status === 413, `status ${r.status}`);
});

test('a query string that is not UTF-8 is refused with 400 naming the parameter', async () => {
  const r = await api(srv, 'GET', '/api/v1/regions?q=%FF%FE');
  expectError(assert, r, 400, 'bad_request', 'q');
});

test('the OpenAPI document is served and describes exactly the routes the server registers', async () => {
  const r = await api(srv, 'GET', '/api/openapi.yaml');
  assert.equal(r.status, 200);
  const file = readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8');
  assert.equal(r.text, file, 'served document is the one in docs/');
  const documented = new Set();
  let current = null;
  let inPaths = false;
  for (const line of file.split('\n')) {
    if (/^paths:/.test(line)) { inPaths = true; continue; }
    if (!inPaths) continue;
    if (/^\S/.test(line)) break;
    let m = line.match(/^  (\/\S*):\s*$/);
    if (m) { current = m[1]; continue; }
    m = line.match(/^    (get|put|post|patch|delete):/);
    if (m && current) documented.add(`${m[1].toUpperCase()} ${current}`);
  }
  const out = cli(srv.db.url, 'routes');
  assert.equal(out.status, 0, out.stderr);
  // Web pages (a third column "page") answer HTML and are not part of the
  // API document; every other route must be documented.
  const lines = out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  assert.ok(lines.some((f) => f[2] === 'page'), 'the web pages are listed, marked page');
  const registered = new Set(lines.filter((f) => f[2] !== 'page').map((f) => `${f[0]} ${f[1]}`));
  assert.deepEqual([...registered].filter((x) => !documented.has(x)), [], 'routes missing from docs/openapi.yaml');
  assert.deepEqual([...documented].filter((x) => !registered.has(x)), [], 'documented paths the server lacks');
});

test('requests in flight finish when the server is told to stop', async () => {
  const s2 = await startServer();
  // Password checks (argon2, ~0.1-0.3 s each) on the worker queue are in
  // flight when SIGTERM arrives; each must still get its answer.
  const inflight = [];
  for (let i = 0; i < 4; i++) {
    inflight.push(api(s2, 'POST', '/api/v1/sessions', { body: { login: `stopper${i}`, password: 'Wrong-Password-1' } })
      .then((r) => r.status, (e) => `dropped: ${e.message}`));
  }
  await new Promise((r) => setTimeout(r, 50));
  const code = await s2.stop();
  const results = await Promise.all(inflight);
  assert.equal(code, 0, 'clean exit after SIGTERM');
  assert.deepEqual(results, [401, 401, 401, 401], 'every request in flight was answered');
});

test('slow work runs off the polling thread: health answers while password checks queue', async () => {
  const s3 = await startServer({ extraArgs: ['--threads', '1', '--workers', '1'] });
  try {
    let lastLoginDone = 0;
    const logins = [];
    for (let i = 0; i < 4; i++) {
      logins.push(api(s3, 'POST', '/api/v1/sessions', { body: { login: `nobody${i}`, password: 'Wrong-Password-123' } })
        .then((r) => { assert.equal(r.status, 401); lastLoginDone = Date.now(); }));
    }
    await new Promise((r) => setTimeout(r, 20));
    const h = await api(s3, 'GET', '/healthz');
    const healthDone = Date.now();
    assert.equal(h.status, 200);
    await Promise.all(logins);
    assert.ok(healthDone < lastLoginDone, 'health answered while argon2 work was still queued on the worker');
  } finally {
    assert.equal(await s3.stop(), 0);
  }
});
