// deadlines.test.mjs — provisional due dates over HTTP. bianmin ships the
// holidays of 2016–2026; a case accepted late in 2026 whose limit runs into
// 2027 gets its dates by the weekday rule (Mon–Fri, no holiday assumed),
// flagged `due_provisional` on the case, the receipt and the public
// progress answer (which says in words that the date may change), while
// GET /api/v1/calendar/due still refuses to guess. Importing
// tests/fixtures/holidays-2027.json — through the API or the command line —
// recomputes the open provisional cases and clears the flag. Expected
// dates come from an oracle here that reads the same holiday files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, api, cli, login, expectError } from './lib.mjs';

const COUNTY = '341524000000';
const APPLICANT = { kind: 'natural', name: '王小明', id_no: '341524198503121028', phone: '13900001111' };
const FIXTURE = path.join(ROOT, 'tests/fixtures/holidays-2027.json');

// ---- the oracle: the shipped lists (a later notice wins), the fixture ----

function lists(with2027) {
  const work = new Map();
  const known = new Set();
  const files = [];
  for (let y = 2016; y <= 2026; y++) files.push(path.join(ROOT, `data/holidays/${y}.json`));
  if (with2027) files.push(FIXTURE);
  for (const f of files) {
    const doc = JSON.parse(readFileSync(f, 'utf8'));
    known.add(doc.year);
    for (const d of doc.days) work.set(d.date, !d.isOffDay);
  }
  return { work, known };
}

const iso = (t) => new Date(t).toISOString().slice(0, 10);
const DAY = 86400000;

// due — the n-th working day after `from` (YYYY-MM-DD) and whether a day
// of an unknown year was counted by the weekday rule.
function due(cal, from, n) {
  let t = Date.parse(`${from}T00:00:00Z`);
  let provisional = false;
  while (n > 0) {
    t += DAY;
    const d = iso(t);
    const wd = new Date(t).getUTCDay();
    const known = cal.known.has(Number(d.slice(0, 4)));
    if (!known) provisional = true;
    const w = known && cal.work.has(d) ? cal.work.get(d) : wd >= 1 && wd <= 5;
    if (w) n--;
  }
  return { date: iso(t), provisional };
}

// The Shanghai date now (the server accepts "today").
const today = () => iso(Date.now() + 8 * 3600 * 1000);

// ---- helpers -------------------------------------------------------------

async function itemId(srv, base, region) {
  const r = await api(srv, 'GET', `/api/v1/items?${new URLSearchParams({ region, limit: '200' })}`);
  assert.equal(r.status, 200, r.text);
  const it = r.json.items.find((x) => x.base === base && x.region === region);
  assert.ok(it, `item ${base} in ${region}`);
  return it.id;
}

// fileAndAccept — file item (base) with files for `files` and accept it.
async function fileAndAccept(srv, token, base, files) {
  const up = await api(srv, 'POST', '/api/v1/files?name=form.pdf', {
    token, raw: Buffer.from('%PDF-1.4 申请书\n'), headers: { 'content-type': 'application/pdf' },
  });
  assert.equal(up.status, 201, up.text);
  const item = await itemId(srv, base, COUNTY);
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token,
    body: { item_id: item, channel: 'window', applicant: APPLICANT, materials: files.map((index) => ({ index, file: up.json.sha256 })) },
  });
  assert.equal(r.status, 201, r.text);
  const { case_no: no, query_code: code } = r.json;
  const day = today();
  r = await api(srv, 'POST', `/api/v1/cases/${no}/accept`, { token, body: {} });
  assert.equal(r.status, 200, r.text);
  return { no, code, day, accepted: r.json };
}

// G-000006-001 at the county service centre: committed 30, legal 60
// working days. BM34150040 at the county police: 2 and 3.
const LONG = ['G-000006-001', [0, 1, 4], 30, 60];
const SHORT = ['BM34150040', [0], 2, 3];

async function checkBefore(srv, token, c, limit, legal) {
  const cal = lists(false);
  const want = due(cal, c.day, limit);
  const wantLegal = due(cal, c.day, legal);
  const flag = want.provisional || wantLegal.provisional;
  assert.equal(c.accepted.due_date, want.date);
  assert.equal(c.accepted.legal_due_date, wantLegal.date);
  assert.equal(c.accepted.due_provisional, flag);
  const receipt = await api(srv, 'GET', `/api/v1/cases/${c.no}/notices/receipt`, { token });
  assert.equal(receipt.status, 200, receipt.text);
  assert.equal(receipt.json.due_provisional, flag);
  const p = await api(srv, 'GET', `/api/v1/progress/${c.no}?code=${c.code}`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.due_date, want.date);
  assert.equal(p.json.due_provisional, flag);
  if (flag) {
    assert.match(receipt.json.text, /尚未导入/);
    assert.match(p.json.due_note, /2027年的法定节假日安排尚未导入/);
    assert.match(p.json.due_note, /国务院办公厅公布的2027年节假日安排导入后，办结日期将重新计算，可能调整/);
  } else {
    assert.equal(p.json.due_note, null);
  }
  return flag;
}

async function checkAfter(srv, token, c, limit, legal, wasProvisional) {
  const cal = lists(true);
  const want = due(cal, c.day, limit);
  const wantLegal = due(cal, c.day, legal);
  const r = await api(srv, 'GET', `/api/v1/cases/${c.no}`, { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due_date, want.date);
  assert.equal(r.json.legal_due_date, wantLegal.date);
  assert.equal(r.json.due_provisional, want.provisional || wantLegal.provisional);
  if (wasProvisional && !r.json.due_provisional) {
    assert.equal(r.json.due_note, null);
    // The fixture's New Year's Day is a Friday off: a date past it moves.
    assert.notEqual(r.json.legal_due_date, c.accepted.legal_due_date);
  }
  // No event for the recomputation: the timeline is people's actions.
  assert.deepEqual(r.json.events.map((e) => e.action), ['submit', 'accept']);
}

// ---- through the API -----------------------------------------------------

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0, srv.log().slice(-3000)); });

test('a long case past 2026 is accepted with a provisional date; importing 2027 through the API recomputes it', async () => {
  const clerk = await login(srv, 'jinzhai_clerk');
  const long = await fileAndAccept(srv, clerk, LONG[0], LONG[1]);
  const short = await fileAndAccept(srv, clerk, SHORT[0], SHORT[1]);
  const longFlag = await checkBefore(srv, clerk, long, LONG[2], LONG[3]);
  const shortFlag = await checkBefore(srv, clerk, short, SHORT[2], SHORT[3]);
  if (today() <= '2026-12-20') {
    assert.equal(shortFlag, false, 'a case inside 2026 is never provisional');
    assert.equal(longFlag, true, '60 working days from late 2026 run into 2027');
  }
  // The calendar itself still refuses to guess.
  expectError(assert, await api(srv, 'GET', '/api/v1/calendar/due?from=2026-12-25&workdays=10'), 422, 'invalid', 'from');

  const admin = await login(srv, 'admin');
  const body = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const ok = await api(srv, 'PUT', '/api/v1/calendar/2027', { body, token: admin });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.cases_recomputed, (longFlag ? 1 : 0) + (shortFlag ? 1 : 0));
  await checkAfter(srv, clerk, long, LONG[2], LONG[3], longFlag);
  await checkAfter(srv, clerk, short, SHORT[2], SHORT[3], shortFlag);
  // Each change is in the audit log, by the administrator who imported.
  const au = await api(srv, 'GET', `/api/v1/audit?${new URLSearchParams({ action: 'case.due_recomputed' })}`, { token: admin });
  assert.equal(au.status, 200, au.text);
  const mine = au.json.items.filter((x) => x.target && x.target.id === long.no);
  assert.equal(mine.length, longFlag ? 1 : 0);
  if (longFlag) {
    assert.equal(mine[0].actor.login, 'admin');
    assert.equal(mine[0].region, COUNTY);
    assert.equal(mine[0].detail.from.provisional, true);
    assert.equal(mine[0].detail.to.provisional, false);
    assert.equal(mine[0].detail.from.legal_due_date, long.accepted.legal_due_date);
  }
  // Accepted now, with 2027 known: final at once.
  const again = await fileAndAccept(srv, clerk, LONG[0], LONG[1]);
  const want = due(lists(true), again.day, LONG[2]);
  assert.equal(again.accepted.due_date, want.date);
  assert.equal(again.accepted.due_provisional, want.provisional || due(lists(true), again.day, LONG[3]).provisional);
});

// ---- through the command line, while the server runs ----------------------

test('importing 2027 from the command line recomputes the open provisional cases', async () => {
  const s2 = await startServer();
  try {
    const clerk = await login(s2, 'jinzhai_clerk');
    const long = await fileAndAccept(s2, clerk, LONG[0], LONG[1]);
    const flag = await checkBefore(s2, clerk, long, LONG[2], LONG[3]);
    const r = cli(s2.db.url, 'calendar', 'import', FIXTURE);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2027/);
    if (flag) assert.match(r.stdout, /已重新计算 1 个办件/);
    await checkAfter(s2, clerk, long, LONG[2], LONG[3], flag);
    await new Promise((res) => setTimeout(res, 1100)); // the node follows calendar_rev
    const p = await api(s2, 'GET', `/api/v1/progress/${long.no}?code=${long.code}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.due_note, null);
  } finally {
    assert.equal(await s2.stop(), 0, s2.log().slice(-3000));
  }
});
