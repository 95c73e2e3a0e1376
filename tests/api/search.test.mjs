// search.test.mjs — the search synonym dictionary over HTTP: `bianmin init`
// loaded data/synonyms.tsv; an administrator lists, adds, replaces and
// removes a term; a clerk is refused; bad bodies name their field; a term
// in the path is percent-encoded UTF-8.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectError } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${srv.log().slice(-3000)}`);
});

const enc = (s) => encodeURIComponent(s);

test('the shipped dictionary is loaded and an administrator can edit it', async () => {
  const admin = await login(srv, 'admin');
  const list = await api(srv, 'GET', '/api/v1/synonyms', { token: admin });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.length >= 100, `only ${list.json.items.length} terms`);
  const dibao = list.json.items.find((x) => x.term === '低保');
  assert.deepEqual(dibao.expansions, ['最低生活保障']);

  let r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('成家')}`, { token: admin, body: { expansions: ['结婚登记', '婚姻登记'] } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json, { term: '成家', expansions: ['结婚登记', '婚姻登记'] });
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('成家')}`, { token: admin, body: { expansions: ['结婚登记'] } });
  assert.equal(r.status, 200, r.text);
  const again = await api(srv, 'GET', '/api/v1/synonyms', { token: admin });
  assert.deepEqual(again.json.items.find((x) => x.term === '成家').expansions, ['结婚登记']);
  r = await api(srv, 'DELETE', `/api/v1/synonyms/${enc('成家')}`, { token: admin });
  assert.equal(r.status, 204, r.text);
  r = await api(srv, 'DELETE', `/api/v1/synonyms/${enc('成家')}`, { token: admin });
  expectError(assert, r, 404, 'not_found', 'term');
});

test('bad bodies name their field; a clerk and an anonymous caller are refused', async () => {
  const admin = await login(srv, 'admin');
  let r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('某词')}`, { token: admin, body: { expansions: [] } });
  expectError(assert, r, 422, 'invalid', '/expansions');
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('某词')}`, { token: admin, body: { expansions: ['a|b'] } });
  expectError(assert, r, 422, 'invalid', '/expansions/0');
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('某词')}`, { token: admin, body: { expansions: [7] } });
  expectError(assert, r, 422, 'invalid', '/expansions/0');
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('某词')}`, { token: admin, body: { expansions: ['结婚登记'], extra: 1 } });
  assert.equal(r.status, 422, r.text);
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('a|b')}`, { token: admin, body: { expansions: ['结婚登记'] } });
  expectError(assert, r, 422, 'invalid', 'term');
  const clerk = await login(srv, 'jinzhai_clerk');
  r = await api(srv, 'PUT', `/api/v1/synonyms/${enc('某词')}`, { token: clerk, body: { expansions: ['结婚登记'] } });
  assert.equal(r.status, 403, r.text);
  r = await api(srv, 'GET', '/api/v1/synonyms');
  assert.equal(r.status, 401, r.text);
});
