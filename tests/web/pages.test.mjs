// pages.test.mjs — the web pages as a person uses them, in a real headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
// running sanitized `bianmin serve` on the demo city (tests/api/lib.mjs):
// search 低保 and open its guide; the nearest items suggested for a query
// with no match; the public progress of a real case (made through the
// API) with the ID masked, and a wrong code answered exactly as a missing
// case; signing in through the form and out again; forged sign-in posts
// refused by the CSRF check; the security headers on every page; and no
// console error or CSP violation on any page that should load cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api, login, DEMO_PASSWORD } from '../api/lib.mjs';

const CHROMIUM = process.env.BIANMIN_CHROMIUM || '/usr/bin/chromium';
// Keep Chromium off the network and out of its sandbox (root): see
// ../shared/design/ENVIRONMENT.md.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const APPLICANT = { kind: 'natural', name: '王小明', id_no: '341524198503121028', phone: '13900001111' };

let srv;
let ctx;
let profile;

before(async () => {
  srv = await startServer();
  profile = mkdtempSync(path.join(tmpdir(), 'bmweb-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: ARGS,
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, // a phone
  });
});

after(async () => {
  try {
    if (ctx) await ctx.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  const code = await srv.stop();
  const log = srv.log();
  const at = log.search(/ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/);
  assert.equal(code, 0, `server exit status (sanitizer report?)\n${at >= 0 ? log.slice(at, at + 4000) : log.slice(-2000)}`);
});

// openPage — a new tab that records console errors (CSP violations are
// reported there too) and uncaught page errors.
async function openPage() {
  const page = await ctx.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

// clean — no problem but the expected error status of the document itself.
function assertClean(page, expectStatus) {
  const rest = page.problems.filter((p) => !(expectStatus && p.includes(`status of ${expectStatus}`)));
  assert.deepEqual(rest, [], `console errors, CSP violations or failed loads on ${page.url()}`);
}

function assertSecurityHeaders(h, what) {
  const csp = h['content-security-policy'] || '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP ${csp}`);
  assert.match(csp, /default-src 'none'/, `${what}: CSP ${csp}`);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), `${what}: CSP ${csp}`);
  assert.ok(!/script-src/.test(csp), `${what}: pages run no script: ${csp}`);
  assert.equal(h['x-content-type-options'], 'nosniff', what);
  assert.equal(h['referrer-policy'], 'no-referrer', what);
  assert.equal(h['x-frame-options'], 'DENY', what);
  assert.match(h['content-type'], /^text\/html; charset=utf-8/, what);
}

async function assertStyled(page) {
  // The style sheet loaded under the CSP: the header is the site's red.
  const bg = await page.$eval('header.site', (e) => getComputedStyle(e).backgroundColor);
  assert.equal(bg, 'rgb(183, 28, 28)', 'site.css applied');
  // Readable on a phone: nothing wider than the screen.
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 0, `page is ${over}px wider than a phone screen`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
}

test('search 低保 from the home page: 最低生活保障 first; its guide shows materials and legal basis', async () => {
  const page = await openPage();
  const res = await page.goto(`${srv.base}/`);
  assert.equal(res.status(), 200);
  assertSecurityHeaders(res.headers(), 'home');
  await assertStyled(page);
  assert.ok((await page.locator('ul.themes li').count()) >= 10, 'themes listed');
  await page.fill('#q', '低保');
  await Promise.all([page.waitForURL(/\/search\?q=/), page.click('form.search button')]);
  const first = page.locator('#results li a.title').first();
  assert.equal(await first.textContent(), '最低生活保障');
  assert.equal(await page.inputValue('#q'), '低保', 'the query stays in the box');
  await assertStyled(page);
  assertClean(page);

  const nav = await Promise.all([page.waitForURL(/\/items\//), first.click()]);
  void nav;
  assert.equal(await page.textContent('#item-name'), '最低生活保障');
  assert.equal(await page.title(), '最低生活保障 - 便民政务服务');
  const materials = await page.textContent('#materials');
  assert.ok(materials.includes('申请人居民身份证'), materials);
  assert.ok(materials.includes('电子证照调取，免提交'), 'the material\'s source in words');
  assert.ok(materials.includes('部门共享数据核验，免提交（户籍'), 'a shared data set named');
  const basis = await page.textContent('#legal-basis');
  assert.ok(basis.includes('《社会救助暂行办法》（国务院令第649号）'), basis);
  assert.ok(basis.includes('第九条'));
  for (const id of ['#conditions', '#steps', '#where']) assert.ok(await page.isVisible(id), id);
  assert.ok((await page.textContent('#steps')).includes('入户调查与信息核对'));
  assert.equal((await page.textContent('#legal-limit')).trim(), '30 个工作日');
  await assertStyled(page);
  assertClean(page);
  await page.close();
});

test('a query with no match shows the nearest items as a suggestion; nonsense says nothing was found', async () => {
  const page = await openPage();
  await page.goto(`${srv.base}/search?q=${encodeURIComponent('保低')}`);
  assert.ok(await page.isVisible('#suggestion'));
  assert.ok((await page.textContent('#suggestion')).includes('保低'));
  assert.equal(await page.locator('#results li a.title').first().textContent(), '最低生活保障');
  await page.goto(`${srv.base}/search?q=zzqqxx`);
  assert.ok(await page.isVisible('#nothing'));
  assert.equal(await page.locator('#results li').count(), 0);
  // A theme from the home page lists its items.
  await page.goto(`${srv.base}/search?theme=poverty`);
  assert.equal(await page.textContent('h1'), '扶贫脱贫');
  assert.ok((await page.locator('#results li').count()) > 0);
  // Hostile text is shown as text.
  await page.goto(`${srv.base}/search?q=${encodeURIComponent('<script>alert(1)</script>"\'')}`);
  assert.equal(await page.inputValue('#q'), '<script>alert(1)</script>"\'');
  assert.equal(await page.locator('script').count(), 0);
  assertClean(page);
  await page.close();
});

// A real case of 最低生活保障 in 梅山镇, filed and accepted by the clerk.
async function makeCase() {
  const tok = await login(srv, 'jinzhai_clerk');
  const up = await api(srv, 'POST', '/api/v1/files?name=form.pdf', {
    token: tok, raw: Buffer.from('%PDF-1.4 申请书\n'), headers: { 'content-type': 'application/pdf' },
  });
  assert.equal(up.status, 201, up.text);
  const items = await api(srv, 'GET', '/api/v1/items?region=341524100000&limit=200');
  const item = items.json.items.find((x) => x.base === 'BM34150001' && x.region === '341524100000');
  assert.ok(item, 'the demo item');
  const materials = [];
  for (let i = 0; i < 8; i++) materials.push(i === 7 ? { index: i, commitment: true } : { index: i, file: up.json.sha256 });
  let r = await api(srv, 'POST', '/api/v1/cases', {
    token: tok, body: { item_id: item.id, channel: 'window', applicant: APPLICANT, materials },
  });
  assert.equal(r.status, 201, r.text);
  const { case_no: no, query_code: code } = r.json;
  r = await api(srv, 'POST', `/api/v1/cases/${no}/accept`, { token: tok, body: { opinion: '材料齐全' } });
  assert.equal(r.status, 200, r.text);
  return { no, code };
}

test('the progress page: the timeline of a real case, the ID masked; a wrong code looks exactly like a missing case', async () => {
  const { no, code } = await makeCase();
  const page = await openPage();
  let res = await page.goto(`${srv.base}/progress`);
  assertSecurityHeaders(res.headers(), 'progress form');
  await page.fill('#no', no);
  await page.fill('#code', code);
  [res] = await Promise.all([page.waitForNavigation(), page.click('form.card button')]);
  assert.equal(res.status(), 200);
  const timeline = await page.textContent('#timeline');
  assert.ok(timeline.includes('已提交申请'), timeline);
  assert.ok(timeline.includes('已受理'), timeline);
  assert.equal((await page.textContent('#applicant')).trim(), '王**（3415**********1028）');
  assert.ok((await page.textContent('#state')).includes('入户调查与信息核对'));
  const html = await page.content();
  for (const secret of [APPLICANT.id_no, APPLICANT.phone, APPLICANT.name]) assert.ok(!html.includes(secret), `${secret} shown`);
  assert.ok(!page.url().includes('#'), 'plain GET form');
  await assertStyled(page);
  assertClean(page);

  async function ask(n, c) {
    await page.goto(`${srv.base}/progress`);
    await page.fill('#no', n);
    await page.fill('#code', c);
    const [r] = await Promise.all([page.waitForNavigation(), page.click('form.card button')]);
    return { status: r.status(), text: await page.innerText('main'), alert: await page.textContent('#progress-error') };
  }
  page.problems = [];
  const wrong = await ask(no, 'AAAA2222');
  const missing = await ask('341524100000-20000101-000001', code);
  assert.equal(wrong.status, 404);
  assert.equal(missing.status, 404);
  assert.equal(wrong.text, missing.text, 'the same page for a wrong code and a missing case');
  assert.ok(wrong.alert.length > 0);
  assert.ok(!wrong.text.includes('最低生活保障') && !wrong.text.includes('王**'), 'nothing of the case shown');
  assertClean(page, 404);
  await page.close();
});

test('sign in through the form, see the signed-in state, sign out', async () => {
  await ctx.clearCookies();
  const page = await openPage();
  let res = await page.goto(`${srv.base}/login`);
  assertSecurityHeaders(res.headers(), 'login');
  let cookies = await ctx.cookies(srv.base);
  const csrf = cookies.find((c) => c.name === 'bm_csrf');
  assert.ok(csrf, 'a pre-session CSRF cookie');
  assert.equal(csrf.httpOnly, true);
  assert.equal(csrf.sameSite, 'Strict');
  assert.equal(await page.inputValue('input[name=_csrf]'), csrf.value, 'the same token in the form');

  // A wrong password: the form again, with the use case's message.
  await page.fill('#login', 'citizen');
  await page.fill('#password', 'Wrong-Password-1');
  [res] = await Promise.all([page.waitForNavigation(), page.click('form.card button')]);
  assert.equal(res.status(), 401);
  assert.ok((await page.textContent('#login-error')).includes('账号或密码错误'));
  assert.equal(await page.inputValue('#login'), 'citizen', 'the login is kept');
  assertClean(page, 401);
  page.problems = [];

  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${srv.base}/`), page.click('form.card button')]);
  assert.equal((await page.textContent('#me')).trim(), '已登录：citizen');
  assert.equal(await page.locator('#login-link').count(), 0);
  cookies = await ctx.cookies(srv.base);
  const session = cookies.find((c) => c.name === 'bm_session');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.equal(session.path, '/');
  assert.ok(session.expires > Date.now() / 1000 + 3600, 'a lasting cookie');
  // The session is the API's: the same token works as a bearer.
  let me = await api(srv, 'GET', '/api/v1/me', { token: session.value });
  assert.equal(me.status, 200);
  assert.equal(me.json.user.login, 'citizen');
  // Other pages show the state too.
  await page.goto(`${srv.base}/search?q=${encodeURIComponent('低保')}`);
  assert.equal((await page.textContent('#me')).trim(), '已登录：citizen');
  await page.goto(`${srv.base}/login`);
  assert.ok((await page.textContent('main')).includes('您已登录为 citizen'));
  assertClean(page);

  await Promise.all([page.waitForURL(`${srv.base}/`), page.click('form.inline button')]);
  assert.ok(await page.isVisible('#login-link'));
  assert.equal(await page.locator('#me').count(), 0);
  cookies = await ctx.cookies(srv.base);
  assert.ok(!cookies.some((c) => c.name === 'bm_session'), 'cookie cleared');
  me = await api(srv, 'GET', '/api/v1/me', { token: session.value });
  assert.equal(me.status, 401, 'the session is revoked, not only forgotten');
  assertClean(page);
  await page.close();
});

test('forged sign-in and sign-out posts without the CSRF cookie and field get the 403 page', async () => {
  const form = (o) => new URLSearchParams(o).toString();
  const type = { 'content-type': 'application/x-www-form-urlencoded' };
  const token = 'A'.repeat(43);
  const cases = [
    ['no cookie, no field', {}, { login: 'admin', password: DEMO_PASSWORD }],
    ['field, no cookie', {}, { _csrf: token, login: 'admin', password: DEMO_PASSWORD }],
    ['cookie, no field', { cookie: `bm_csrf=${token}` }, { login: 'admin', password: DEMO_PASSWORD }],
    ['cookie and field differ', { cookie: `bm_csrf=${token}` }, { _csrf: 'B'.repeat(43), login: 'admin', password: DEMO_PASSWORD }],
    ['short equal tokens', { cookie: 'bm_csrf=x' }, { _csrf: 'x', login: 'admin', password: DEMO_PASSWORD }],
  ];
  for (const [what, headers, body] of cases) {
    for (const p of ['/login', '/logout']) {
      const r = await fetch(srv.base + p, { method: 'POST', headers: { ...type, ...headers }, body: form(body), redirect: 'manual' });
      const text = await r.text();
      assert.equal(r.status, 403, `${p} ${what}: ${r.status}`);
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.ok(text.includes('data-code="forbidden"') && text.includes('无权访问'), `${p} ${what}: ${text.slice(0, 200)}`);
      assert.ok(!r.headers.get('set-cookie')?.includes('bm_session'), `${p} ${what}: no session`);
    }
  }
  // The same post with a matching pair passes the check (and signs in).
  const ok = await fetch(`${srv.base}/login`, {
    method: 'POST', headers: { ...type, cookie: `bm_csrf=${token}` }, redirect: 'manual',
    body: form({ _csrf: token, login: 'admin', password: DEMO_PASSWORD }),
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/');
  assert.match(ok.headers.get('set-cookie'), /bm_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/);
  // A JSON body is no form.
  const json = await fetch(`${srv.base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 415);
});

test('every page answers with the security headers; errors are Chinese HTML pages', async () => {
  const page = await openPage();
  for (const [p, status] of [['/', 200], ['/search?q=x', 200], ['/progress', 200], ['/login', 200],
    ['/items/NOSUCHCODE', 404], ['/no/such/page', 404], ['/static/nosuch.css', 404]]) {
    const res = await page.goto(srv.base + p);
    assert.equal(res.status(), status, p);
    assertSecurityHeaders(res.headers(), p);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    if (status === 404) {
      assert.equal(await page.textContent('h1'), '页面不存在', p);
      assert.ok((await page.textContent('.rid')).includes('请求编号'), p);
    }
    await assertStyled(page);
  }
  assertClean(page, 404);
  // The API keeps its JSON errors and its own CSP.
  const r = await api(srv, 'GET', '/api/v1/nope');
  assert.equal(r.status, 404);
  assert.ok(r.json.error);
  assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
  // The style sheet is cached by ETag.
  const css = await fetch(`${srv.base}/static/site.css`);
  assert.equal(css.status, 200);
  const again = await fetch(`${srv.base}/static/site.css`, { headers: { 'if-none-match': css.headers.get('etag') } });
  assert.equal(again.status, 304);
  await page.close();
});
