// calendar.test.mjs — statutory working days as a clerk and a script see
// them: a year's holidays, due dates over holidays and make-up days, clear
// refusals outside known years, and importing a year the program does not
// ship (CLI and API), where a broken file changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startServer, api, cli, login, expectError } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0, srv.log().slice(-3000)); });

const due = (from, n) => api(srv, 'GET', `/api/v1/calendar/due?from=${from}&workdays=${n}`);

test('a year lists every holiday and make-up working day with its name', async () => {
  const r = await api(srv, 'GET', '/api/v1/calendar/2024');
  assert.equal(r.status, 200);
  const src = JSON.parse(readFileSync(path.join(ROOT, 'data/holidays/2024.json'), 'utf8'));
  const own = src.days.filter((d) => d.date.startsWith('2024'));
  assert.equal(r.json.days.length, own.length);
  const sep29 = r.json.days.find((d) => d.date === '2024-09-29');
  assert.deepEqual(sep29, { date: '2024-09-29', name: '国庆节', off: false, kind: 'workday' });
  assert.equal(r.json.days.find((d) => d.date === '2024-10-01').off, true);
});

test('due dates skip holidays and count make-up days', async () => {
  const rows = [
    ['2024-09-30', 1, '2024-10-08'], // 1-7 Oct National Day
    ['2024-09-27', 1, '2024-09-29'], // Sun 29 Sep is a make-up workday
    ['2024-10-11', 1, '2024-10-12'], // Sat 12 Oct is a make-up workday
    ['2025-01-27', 1, '2025-02-05'], // Spring Festival eve 2025 is a holiday; 28 Jan-4 Feb off
    ['2025-01-24', 2, '2025-01-27'], // Sun 26 Jan 2025 make-up day
    ['2018-12-28', 1, '2018-12-29'], // Sat 29 Dec 2018, listed in 2019's notice
    ['2024-12-31', 20, '2025-02-05'], // 19 working days in Jan (26 Jan make-up Sunday), 28 Jan-4 Feb off
    ['2024-05-06', 0, '2024-05-06'],
  ];
  for (const [from, n, want] of rows) {
    const r = await due(from, n);
    assert.equal(r.status, 200, `${from}+${n}: ${r.text}`);
    assert.deepEqual(r.json, { from, workdays: n, due: want });
  }
  const c = cli(srv.db.url, 'calendar', 'due', '2024-09-30', '1');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(c.stdout.trim(), '2024-10-08');
});

test('outside the known years the answer is a clear 422, never a guess', async () => {
  expectError(assert, await due('2026-12-25', 10), 422, 'invalid', 'from');
  expectError(assert, await due('2015-06-01', 3), 422, 'invalid', 'from');
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/2031'), 422, 'invalid', 'year');
  expectError(assert, await due('2024-02-30', 1), 422, 'invalid', 'from');
  expectError(assert, await due('2024-2-3', 1), 422, 'invalid', 'from');
  expectError(assert, await due('2024-02-03', -1), 422, 'invalid', 'workdays');
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/due?from=2024-02-03'), 422, 'invalid', 'workdays');
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/due?workdays=3'), 422, 'invalid', 'from');
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/20x4'), 422, 'invalid', 'year');
  const c = cli(srv.db.url, 'calendar', 'due', '2027-03-01', '5');
  assert.notEqual(c.status, 0);
  assert.match(c.stderr, /2027/);
});

test('a year imported from a file is counted at once; a broken file changes nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bmcal-'));
  const good = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/holidays-2027.json'), 'utf8'));
  const broken = structuredClone(good);
  broken.days[3].date = '2027-02-30';
  const bf = path.join(dir, 'broken.json');
  writeFileSync(bf, JSON.stringify(broken));
  const b = cli(srv.db.url, 'calendar', 'import', bf);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /\/days\/3\/date/);
  await new Promise((res) => setTimeout(res, 1100));
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/2027'), 422, 'invalid', 'year');

  const gf = path.join(dir, 'good.json');
  writeFileSync(gf, JSON.stringify(good));
  const g = cli(srv.db.url, 'calendar', 'import', gf);
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /2027/);
  await new Promise((res) => setTimeout(res, 1100)); // every node follows calendar_rev within 1 s
  const y = await api(srv, 'GET', '/api/v1/calendar/2027');
  assert.equal(y.status, 200);
  assert.equal(y.json.days.length, good.days.length);
  // Fri 5 Feb 2027 + 1: 6-13 Feb off, Sun 14 Feb make-up day.
  assert.equal((await due('2027-02-05', 1)).json.due, '2027-02-14');
  // + 2: Mon 15 Feb.  Sat 20 Feb is a make-up day too.
  assert.equal((await due('2027-02-05', 2)).json.due, '2027-02-15');
  assert.equal((await due('2027-02-19', 1)).json.due, '2027-02-20');
  // Across the year boundary from the shipped 2026 into the imported 2027.
  assert.equal((await due('2026-12-31', 1)).json.due, '2027-01-04');
});

test('an administrator can import a year through the API; others cannot', async () => {
  const body = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/holidays-2027.json'), 'utf8'));
  body.year = 2028;
  body.days = [{ name: '元旦', date: '2028-01-03', isOffDay: true }];
  expectError(assert, await api(srv, 'PUT', '/api/v1/calendar/2028', { body }), 401, 'unauthorized');
  const clerk = await login(srv, 'jinzhai_clerk');
  expectError(assert, await api(srv, 'PUT', '/api/v1/calendar/2028', { body, token: clerk }), 403, 'forbidden');
  const admin = await login(srv, 'admin');
  expectError(assert, await api(srv, 'PUT', '/api/v1/calendar/2029', { body, token: admin }), 422, 'invalid', '/year');
  const bad = { ...body, days: [{ name: '元旦', date: '2028-13-01', isOffDay: true }] };
  expectError(assert, await api(srv, 'PUT', '/api/v1/calendar/2028', { body: bad, token: admin }), 422, 'invalid', '/days/0/date');
  const ok = await api(srv, 'PUT', '/api/v1/calendar/2028', { body, token: admin });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { year: 2028, days: 1, source: 'imported', cases_recomputed: 0 });
  const y = await api(srv, 'GET', '/api/v1/calendar/2028');
  assert.equal(y.json.days[0].date, '2028-01-03');
});
