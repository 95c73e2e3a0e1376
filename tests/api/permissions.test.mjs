// permissions.test.mjs — walks docs/permissions.md against the running
// server: its route table must list exactly the routes `bianmin routes`
// prints, and every route, called anonymously and by a demo account of
// every role, must be let through the gate or refused exactly as the route
// table (route → capability) and the capability × role table say:
// anonymous gets the gate's 401 on every route that needs a capability,
// a role without it the gate's 403, a role with it gets past the gate
// (whatever the handler then answers, never a 5xx). The bodies and path
// values name nothing that exists, so no write can succeed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, api, cli, login } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const code = await srv.stop();
  assert.equal(code, 0, `server exit status after SIGTERM (sanitizer report?)\n${srv.log().slice(-3000)}`);
});

// One demo account per role (README, app_demo_users).
const ACCOUNTS = {
  sys_admin: 'admin', centre_admin: 'city_admin', supervisor: 'city_supervisor', editor: 'city_editor',
  legal_reviewer: 'city_legal', clerk: 'city_clerk', reviewer: 'city_reviewer', decider: 'city_decider',
  agent: 'qingshan_agent', applicant: 'citizen',
};

function parseDoc() {
  const text = readFileSync(path.join(ROOT, 'docs/permissions.md'), 'utf8');
  const caps = {}; // cap -> Set(role)
  const routes = []; // {method, pattern, cap}
  let roles = null;
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0] === 'capability' && cells.length > 2) { roles = cells.slice(1); continue; }
    if (roles && cells.length === roles.length + 1 && /^[a-z_]+$/.test(cells[0])) {
      caps[cells[0]] = new Set(roles.filter((_, i) => cells[i + 1] === '✓'));
      continue;
    }
    if (cells.length === 3 && /^(GET|POST|PUT|PATCH|DELETE)$/.test(cells[0])) {
      routes.push({ method: cells[0], pattern: cells[1].replace(/`/g, ''), cap: cells[2] });
    }
  }
  return { caps, routes };
}

// The gate's own answers (src/http/routes.c), told apart from a handler's.
const gate401 = (r) => r.status === 401 && r.json?.error?.message === '请先登录';
const gate403 = (r) => r.status === 403 && r.json?.error?.code === 'forbidden' &&
  r.json.error.field === '' && r.json.error.message === '无权执行此操作';

function fill(pattern, isRead) {
  return pattern.replace(/\{([^}]+)\}/g, (_, name) => {
    switch (name) {
      case 'code': return '341524000000';
      case 'year': return isRead ? '2024' : '2031';
      case 'id': return isRead ? '1' : '999999';
      default: return isRead ? 'a' : encodeURIComponent('权限测试不存在');
    }
  });
}

test('the route table lists exactly the registered routes, with known capabilities', () => {
  const { caps, routes } = parseDoc();
  assert.ok(Object.keys(caps).length >= 10, 'capability table parsed');
  assert.deepEqual(Object.keys(ACCOUNTS).sort(), [...new Set(Object.values(caps).flatMap((s) => [...s]))].sort(),
    'a demo account for every role of the table');
  const out = cli(srv.db.url, 'routes');
  assert.equal(out.status, 0, out.stderr);
  // A page route is printed with a third column `page`; the table lists it
  // like any other route.
  const registered = out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
  const documented = routes.map((r) => `${r.method} ${r.pattern}`);
  assert.deepEqual(registered.filter((x) => !documented.includes(x)), [], 'routes missing from docs/permissions.md');
  assert.deepEqual(documented.filter((x) => !registered.includes(x)), [], 'documented routes the server lacks');
  for (const r of routes) assert.ok(r.cap === 'none' || caps[r.cap], `${r.method} ${r.pattern}: unknown capability ${r.cap}`);
});

test('every route, anonymously and as every role, is let through or refused as documented', async () => {
  const { caps, routes } = parseDoc();
  const tokens = {};
  for (const [role, who] of Object.entries(ACCOUNTS)) tokens[role] = await login(srv, who);
  // Signing out ends the session the rest uses: that route goes last.
  const order = [...routes].sort((a, b) => (a.pattern === '/api/v1/sessions/current' && a.method === 'DELETE') - (b.pattern === '/api/v1/sessions/current' && b.method === 'DELETE'));
  const failures = [];
  for (const rt of order) {
    const isRead = rt.method === 'GET';
    const p = fill(rt.pattern, isRead);
    const body = isRead ? undefined : {};
    const callers = [[null, null], ...Object.entries(tokens)];
    await Promise.all(callers.map(async ([role, token]) => {
      const r = await api(srv, rt.method, p, { token, body });
      const who = role || 'anonymous';
      const what = `${rt.method} ${rt.pattern} as ${who}: ${r.status} ${r.text.slice(0, 160)}`;
      if (r.status >= 500) return failures.push(`5xx: ${what}`);
      const allowed = rt.cap === 'none' || (role !== null && (caps[rt.cap]?.has(role) ?? false));
      if (allowed && (gate401(r) || gate403(r))) failures.push(`refused, table allows: ${what}`);
      if (!allowed && role === null && !gate401(r)) failures.push(`want the gate's 401: ${what}`);
      if (!allowed && role !== null && !gate403(r)) failures.push(`want the gate's 403: ${what}`);
      if (!isRead && r.status >= 200 && r.status < 300 && rt.pattern !== '/api/v1/sessions/current') {
        failures.push(`a write succeeded: ${what}`);
      }
    }));
  }
  assert.deepEqual(failures, []);
});
