// lib.mjs — black-box harness: start a real `bianmin serve` on a fresh
// database (SQLite file or a new PostgreSQL database on the throwaway
// cluster, by BIANMIN_TEST_DRIVER), talk HTTP to it, stop it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.BIANMIN_BIN || path.join(ROOT, 'build-test/bianmin');
export const DRIVER = process.env.BIANMIN_TEST_DRIVER || 'sqlite';
export const SHARED = process.env.BIANMIN_SHARED_DIR || path.join(ROOT, '../shared');
export const DEMO_PASSWORD = 'Bianmin-Demo-2026';

let counter = 0;

// freshDb — a URL for an empty database of the chosen driver.
export function freshDb() {
  if (DRIVER === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'bmapi-'));
    return { url: `sqlite:${dir}/t.db`, drop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.BIANMIN_TEST_PG_URL;
  if (!base) throw new Error('BIANMIN_TEST_PG_URL is not set (scripts/run-tests starts a cluster)');
  const name = `bm_api_${process.pid}_${++counter}`;
  psql(base, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
  const u = new URL(base);
  u.pathname = '/' + name;
  return { url: u.toString(), drop: () => psql(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}

// cli — run `bianmin --db URL …args`; returns {status, stdout, stderr}.
export function cli(dbUrl, ...args) {
  const r = spawnSync(BIN, ['--db', dbUrl, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// startServer — init (with demo data unless demo:false) and serve on a free
// port. Returns {base, db, proc, log(), stop(), kill(), restart()}.
export async function startServer({ demo = true, db = null, extraArgs = [] } = {}) {
  const own = !db;
  db = db || freshDb();
  if (demo !== null) {
    const r = cli(db.url, 'init', ...(demo ? ['--demo'] : []));
    if (r.status !== 0) throw new Error(`init failed: ${r.stderr}`);
  }
  const srv = { db, own };
  await launch(srv, extraArgs);
  srv.stop = async () => {
    const code = await stopProc(srv.proc, 'SIGTERM');
    if (own) db.drop();
    return code;
  };
  srv.kill = async () => stopProc(srv.proc, 'SIGKILL');
  srv.restart = async () => launch(srv, extraArgs);
  return srv;
}

function launch(srv, extraArgs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['--db', srv.db.url, '--listen', '127.0.0.1:0', ...extraArgs, 'serve'],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    srv.proc = proc;
    srv.stderr = '';
    srv.log = () => srv.stderr;
    const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 15000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      srv.stderr += chunk;
      if (srv.base) return;
      buf += chunk;
      for (const line of buf.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const j = JSON.parse(line);
          if (j.event === 'start') {
            srv.base = `http://127.0.0.1:${j.port}`;
            clearTimeout(timer);
            resolve(srv);
          }
        } catch { /* partial line */ }
      }
    });
    proc.on('exit', (code) => {
      if (!srv.base) { clearTimeout(timer); reject(new Error(`server exited ${code}: ${buf}`)); }
    });
    srv.base = null;
  });
}

function stopProc(proc, sig) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
    proc.on('exit', (code, signal) => resolve(code ?? signal));
    proc.kill(sig);
  });
}

// api — fetch relative to the server; JSON body in and out.
export async function api(srv, method, p, { body, token, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload = raw;
  if (body !== undefined) {
    h['content-type'] = h['content-type'] || 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(srv.base + p, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

export async function login(srv, login, password = DEMO_PASSWORD) {
  const r = await api(srv, 'POST', '/api/v1/sessions', { body: { login, password } });
  if (r.status !== 201) throw new Error(`login ${login}: ${r.status} ${r.text}`);
  return r.json.token;
}

// expectError — assert the one error shape.
export function expectError(assert, r, status, code, field) {
  assert.equal(r.status, status, `status of ${r.text}`);
  assert.ok(r.json && r.json.error, `error body: ${r.text}`);
  if (code) assert.equal(r.json.error.code, code);
  if (field !== undefined) assert.equal(r.json.error.field, field);
  assert.ok(r.json.error.message.length > 0);
}
