// durability.test.mjs — "a 2xx means durable": a burst of concurrent write
// units (each an organisation with halls and windows, several rows in one
// unit) is cut by SIGKILL; after restart every acknowledged unit is there
// whole, and no unit is there in part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, api, login } from './lib.mjs';

const VILLAGE = '341524100200'; // 梅山镇梅山村委会, demo data

function post(agent, base, token, body) {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = http.request(`${base}/api/v1/orgs`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: b }));
      res.on('error', () => resolve({ status: 'dropped' }));
    });
    req.on('error', () => resolve({ status: 'dropped' }));
    req.end(data);
  });
}

function unit(tag) {
  return {
    kind: 'village_station', name: `压测工作站${tag}`, region: VILLAGE,
    halls: [
      { name: '一楼大厅', windows: [{ number: 'A01', name: '综合受理', kind: 'comprehensive' }, { number: 'A02', name: '综合受理', kind: 'comprehensive' }] },
      { name: '二楼大厅', windows: [{ number: 'B01', name: '综合受理', kind: 'comprehensive' }, { number: 'B02', name: '综合受理', kind: 'comprehensive' }] },
    ],
  };
}

function whole(org) {
  return org.halls.length === 2 && org.halls.every((h) => h.windows.length === 2);
}

test('no acknowledged write is lost and no unit is half-written after SIGKILL mid-burst', async () => {
  const srv = await startServer();
  const token = await login(srv, 'admin');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const acked = [];
  let stop = false;
  let sent = 0;
  const clients = [];
  for (let c = 0; c < 64; c++) {
    clients.push((async () => {
      while (!stop) {
        const tag = `${c}-${sent++}`;
        const r = await post(agent, srv.base, token, unit(tag));
        if (r.status === 201) acked.push({ tag, id: JSON.parse(r.body).id });
        else if (r.status === 'dropped') return;
        else if (!stop) assert.fail(`unexpected ${r.status} ${r.body}`);
      }
    })());
  }
  // Let the burst run, then kill the server without warning.
  await new Promise((res) => setTimeout(res, 1500));
  await srv.kill();
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  assert.ok(acked.length > 50, `only ${acked.length} writes acknowledged before the kill`);

  await srv.restart();
  const admin2 = await login(srv, 'admin');
  for (const { tag, id } of acked) {
    const r = await api(srv, 'GET', `/api/v1/orgs/${id}`, { token: admin2 });
    assert.equal(r.status, 200, `acknowledged ${tag} (id ${id}) lost`);
    assert.equal(r.json.name, `压测工作站${tag}`);
    assert.ok(whole(r.json), `acknowledged ${tag} is not whole`);
  }
  // Whatever else got in (committed but not yet answered) is whole too.
  let after = 0;
  let seen = 0;
  for (;;) {
    const r = await api(srv, 'GET', `/api/v1/orgs?region=${VILLAGE}&limit=200&after=${after}`);
    assert.equal(r.status, 200, r.text);
    for (const o of r.json.items) {
      if (!o.name.startsWith('压测工作站')) continue;
      const full = await api(srv, 'GET', `/api/v1/orgs/${o.id}`);
      assert.ok(whole(full.json), `half-written unit ${o.name}`);
      seen++;
    }
    if (!r.json.next_after) break;
    after = r.json.next_after;
  }
  assert.ok(seen >= acked.length);
  assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
});
