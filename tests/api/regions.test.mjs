// regions.test.mjs — the four-level divisions as a person and a script use
// them: look-up of any village with its ancestors, children, search, the
// cache with ETag, and the CSV import (all or nothing, idempotent).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { ROOT, SHARED, startServer, api, cli, expectError } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal(await srv.stop(), 0, srv.log().slice(-3000)); });

function csvRows(file) {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
}

function getJson(agent, url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(b), etag: res.headers.etag }));
    }).on('error', reject);
  });
}

test('every village of the demo city answers with its four ancestors', async () => {
  const villages = csvRows(path.join(ROOT, 'data/demo/regions/villages.csv'));
  assert.equal(villages.length, 1970);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  for (let i = 0; i < villages.length; i += 8) {
    const batch = villages.slice(i, i + 8);
    const got = await Promise.all(batch.map(([code]) => getJson(agent, `${srv.base}/api/v1/regions/${code}`)));
    got.forEach((r, k) => {
      const [code, name, street] = batch[k];
      assert.equal(r.status, 200, code);
      assert.equal(r.json.name, name);
      assert.equal(r.json.level, 5);
      assert.equal(r.json.parent, street + '000');
      assert.deepEqual(r.json.ancestors.map((a) => a.level), [1, 2, 3, 4]);
      assert.equal(r.json.ancestors[1].name, '六安市');
    });
  }
  agent.destroy();
});

test('look-ups carry an ETag and answer 304 when it matches', async () => {
  const r = await api(srv, 'GET', '/api/v1/regions/341524100000');
  assert.equal(r.status, 200);
  assert.equal(r.json.full_name, '安徽省六安市金寨县梅山镇');
  const etag = r.headers.get('etag');
  assert.match(etag, /^".+"$/);
  const again = await api(srv, 'GET', '/api/v1/regions/341524100000', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
});

test('children, provinces and search', async () => {
  const c = await api(srv, 'GET', '/api/v1/regions/341500000000/children');
  assert.equal(c.status, 200);
  assert.equal(c.json.count, 7);
  assert.ok(c.json.children.some((x) => x.name === '金寨县'));
  const top = await api(srv, 'GET', '/api/v1/regions');
  assert.deepEqual(top.json.children.map((x) => x.name), ['安徽省']);
  const s = await api(srv, 'GET', '/api/v1/regions?q=' + encodeURIComponent('梅山') + '&within=341524000000');
  assert.equal(s.status, 200);
  assert.ok(s.json.items.length >= 2);
  assert.ok(s.json.items.every((x) => x.code.startsWith('341524')));
  assert.equal(s.json.items[0].name, '梅山镇', 'higher levels first');
  const lit = await api(srv, 'GET', '/api/v1/regions?q=' + encodeURIComponent('%'));
  assert.equal(lit.json.count, 0, 'LIKE wildcards are literal');
});

test('bad codes are 422 naming the field, unknown codes 404', async () => {
  expectError(assert, await api(srv, 'GET', '/api/v1/regions/3415'), 422, 'invalid', 'code');
  expectError(assert, await api(srv, 'GET', '/api/v1/regions/34152410000X'), 422, 'invalid', 'code');
  expectError(assert, await api(srv, 'GET', '/api/v1/regions/341524999000'), 404, 'not_found');
  expectError(assert, await api(srv, 'GET', '/api/v1/regions?q=' + 'a'.repeat(40)), 422, 'invalid', 'q');
  expectError(assert, await api(srv, 'GET', '/api/v1/regions?q=x&limit=0'), 422, 'invalid', 'limit');
});

test('a broken import names file and line and changes nothing; a good one is idempotent', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bmreg-'));
  const good = path.join(dir, 'streets.csv');
  writeFileSync(good, 'code,name,areaCode,provinceCode,cityCode\n341524901,"测试新镇",341524,34,3415\n');
  const bad = path.join(dir, 'villages.csv');
  writeFileSync(bad, 'code,name,streetCode,provinceCode,cityCode,areaCode\n' +
    '341524901001,"一村",341524901,34,3415,341524\n' +
    '341524901002,"二村",341524901,34,3415,341524\n' +
    '341524902003,"三村",341524901,34,3415,341524\n');
  const r = cli(srv.db.url, 'import', 'regions', good, bad);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /villages\.csv 第 4 行/);
  expectError(assert, await api(srv, 'GET', '/api/v1/regions/341524901000'), 404, 'not_found');
  expectError(assert, await api(srv, 'GET', '/api/v1/regions/341524901001'), 404, 'not_found');

  writeFileSync(bad, 'code,name,streetCode,provinceCode,cityCode,areaCode\n341524901001,"一村",341524901,34,3415,341524\n');
  const ok = cli(srv.db.url, 'import', 'regions', good, bad);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /新增或变更 2 行/);
  const again = cli(srv.db.url, 'import', 'regions', good, bad);
  assert.match(again.stdout, /新增或变更 0 行/);
  const v = await api(srv, 'GET', '/api/v1/regions/341524901001');
  assert.equal(v.status, 200);
  assert.equal(v.json.full_name, '安徽省六安市金寨县测试新镇一村');

  // A rename reaches the cached look-up within a second (regions_rev).
  writeFileSync(bad, 'code,name,streetCode,provinceCode,cityCode,areaCode\n341524901001,"一村社区",341524901,34,3415,341524\n');
  assert.equal(cli(srv.db.url, 'import', 'regions', bad).status, 0);
  await new Promise((res) => setTimeout(res, 1100));
  const renamed = await api(srv, 'GET', '/api/v1/regions/341524901001');
  assert.equal(renamed.json.name, '一村社区');
});

test('malformed rows are refused with the reason', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bmreg-'));
  const cases = [
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n34152410100A,"x",341524101,34,3415,341524\n', /非数字/],
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n341524101999,"",341524101,34,3415,341524\n', /名称/],
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n341524101999,"x",341524102,34,3415,341524\n', /不在其上级/],
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n341524101999,"x,341524101,34,3415,341524\n', /CSV/],
    ['id,title\n1,2\n', /表头/],
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n341524101999,"x",341524101,34\n', /列数/],
    ['code,name,streetCode,provinceCode,cityCode,areaCode\n341599101001,"x",341599101,34,3415,341599\n', /既不在导入文件中也不在数据库中/],
  ];
  for (const [text, re] of cases) {
    const f = path.join(dir, 'v.csv');
    writeFileSync(f, text);
    const r = cli(srv.db.url, 'import', 'regions', f);
    assert.notEqual(r.status, 0, text);
    assert.match(r.stderr, re, text);
  }
});

test('CSV as spreadsheets write it; duplicates name both places; only changed rows are written', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bmreg-'));
  const a = path.join(dir, 'a.csv');
  // BOM, CRLF, a blank line, blanks around fields, a doubled quote; errors
  // name the physical line (blank lines count).
  writeFileSync(a, '\ufeffcode,name,areaCode,provinceCode,cityCode\r\n' +
    '341524903,"测试""三""镇",341524,34,3415\r\n\r\n' +
    ' 341524904 , 测试四镇 ,341524,34,3415\r\n');
  const ok = cli(srv.db.url, 'import', 'regions', a);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /乡镇 2，村社区 0；新增或变更 2 行/);
  const t3 = await api(srv, 'GET', '/api/v1/regions/341524903000');
  assert.equal(t3.json.name, '测试"三"镇');
  assert.equal((await api(srv, 'GET', '/api/v1/regions/341524904000')).json.name, '测试四镇');

  const b = path.join(dir, 'b.csv');
  writeFileSync(b, 'code,name,areaCode,provinceCode,cityCode\n' +
    '\n341524905,"测试五镇",341524,34,3415\n341524903,"重复",341524,34,3415\n');
  const dup = cli(srv.db.url, 'import', 'regions', a, b);
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /b\.csv 第 4 行：代码 341524903000 重复（已见于 .*a\.csv 第 2 行）/);

  // Same rows again: nothing written; one name changed: one row written.
  assert.match(cli(srv.db.url, 'import', 'regions', a).stdout, /新增或变更 0 行/);
  writeFileSync(a, 'code,name,areaCode,provinceCode,cityCode\n341524903,"测试三镇",341524,34,3415\n341524904,测试四镇,341524,34,3415\n');
  assert.match(cli(srv.db.url, 'import', 'regions', a).stdout, /新增或变更 1 行/);
  // Out of code order is fine (sorted before writing); a child before its
  // parent in the same import too.
  const v = path.join(dir, 'v.csv');
  writeFileSync(v, 'code,name,streetCode,provinceCode,cityCode,areaCode\n' +
    '341524906002,"乙村",341524906,34,3415,341524\n341524906001,"甲村",341524906,34,3415,341524\n');
  const s6 = path.join(dir, 's6.csv');
  writeFileSync(s6, 'code,name,areaCode,provinceCode,cityCode\n341524906,"测试六镇",341524,34,3415\n');
  const r6 = cli(srv.db.url, 'import', 'regions', v, s6);
  assert.equal(r6.status, 0, r6.stderr);
  assert.match(r6.stdout, /新增或变更 3 行/);
  await new Promise((res) => setTimeout(res, 1100));
  assert.equal((await api(srv, 'GET', '/api/v1/regions/341524906001')).json.full_name, '安徽省六安市金寨县测试六镇甲村');
});

test('many new villages next to few stored rows: stored rows keep their values and date, all or nothing', async () => {
  // Over twice as many new rows as stored ones: on SQLite the import writes
  // the whole table again in code order (app_regions.c rebuild_rows).
  const dir = mkdtempSync(path.join(tmpdir(), 'bmreg-'));
  const streets = csvRows(path.join(ROOT, 'data/demo/regions/streets.csv'));
  const old = csvRows(path.join(ROOT, 'data/demo/regions/villages.csv'))[0][0];
  const stamp = () => {
    if (!srv.db.url.startsWith('sqlite:')) return null;
    const r = spawnSync('sqlite3', [srv.db.url.slice(7), `SELECT name, parent, updated_at FROM regions WHERE code = '${old}'; PRAGMA foreign_key_check;`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : null;
  };
  const before = await api(srv, 'GET', `/api/v1/regions/${old}`);
  assert.equal(before.status, 200);
  const stampBefore = stamp();
  let text = 'code,name,streetCode,provinceCode,cityCode,areaCode\n';
  let n = 0;
  for (const [code, , area, prov, city] of streets) {
    for (let i = 901; i <= 940; i++, n++) text += `${code}${i},"测试${n}村",${code},${prov},${city},${area}\n`;
  }
  assert.ok(n > 5000);
  const f = path.join(dir, 'many.csv');
  writeFileSync(f, text + `341599101001,"无上级村",341599101,34,3415,341599\n`);
  const bad = cli(srv.db.url, 'import', 'regions', f);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, new RegExp(`many\\.csv 第 ${n + 2} 行`));
  expectError(assert, await api(srv, 'GET', `/api/v1/regions/${streets[0][0]}901`), 404, 'not_found');

  writeFileSync(f, text);
  const ok = cli(srv.db.url, 'import', 'regions', f);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`村社区 ${n}；新增或变更 ${n} 行`));
  assert.match(cli(srv.db.url, 'import', 'regions', f).stdout, /新增或变更 0 行/);
  await new Promise((res) => setTimeout(res, 1100));
  assert.deepEqual((await api(srv, 'GET', `/api/v1/regions/${old}`)).json, before.json);
  if (stampBefore !== null) assert.equal(stamp(), stampBefore);
  const last = streets[streets.length - 1];
  const v = await api(srv, 'GET', `/api/v1/regions/${last[0]}940`);
  assert.equal(v.status, 200);
  assert.equal(v.json.name, `测试${n - 1}村`);
  assert.equal(v.json.ancestors.length, 4);
  const kids = await api(srv, 'GET', `/api/v1/regions/${streets[0][0]}000/children`);
  const codes = kids.json.children.map((k) => k.code);
  assert.ok(codes.includes(old) && codes.includes(`${streets[0][0]}901`), codes.join());
  assert.deepEqual(codes, [...codes].sort());
});

test('the real national files import as published, and any Anhui village answers', { skip: !existsSync(path.join(SHARED, 'data/divisions/provinces.csv')) && 'shared data not present' }, async () => {
  const d = path.join(SHARED, 'data/divisions');
  const files = ['provinces.csv', 'cities.csv', 'areas.csv', 'streets.csv', 'villages-34-anhui.csv'].map((f) => path.join(d, f));
  const r = cli(srv.db.url, 'import', 'regions', ...files);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /省 31，市 342，县 2975，乡镇 41351，村社区 18334/);
  assert.match(r.stdout, /跳过 4 个/, "东莞、中山、儋州 and 金门 rows stand for their parent");
  await new Promise((res) => setTimeout(res, 1100));
  const dg = await api(srv, "GET", "/api/v1/regions/441900003000");
  assert.equal(dg.json.full_name, "广东省东莞市东城街道");
  await new Promise((res) => setTimeout(res, 1100));
  const villages = csvRows(path.join(d, 'villages-34-anhui.csv'));
  for (let i = 0; i < villages.length; i += 997) {
    const [code, name] = villages[i];
    const v = await api(srv, 'GET', `/api/v1/regions/${code}`);
    assert.equal(v.status, 200, code);
    assert.equal(v.json.name, name);
    assert.equal(v.json.ancestors[0].name, '安徽省');
  }
  const bj = await api(srv, 'GET', '/api/v1/regions/110000000000/children');
  assert.ok(bj.json.count >= 1);
});
