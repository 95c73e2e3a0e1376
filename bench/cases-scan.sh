#!/usr/bin/env bash
# bench/cases-scan.sh — the deadline warning scan over 5,000,000 open
# cases of a province (Anhui: its 16 cities, 119 counties and 1,685
# townships from the real division codes), through the HTTP API, against
# the same two statements (counts, page) run by the database's own shell
# on the same database in the same run: SQLite and the sqlite3 shell
# (default), or with BENCH_SCAN_DRIVER=postgres a throwaway PostgreSQL
# cluster (scripts/pg-cluster) and psql (\timing, after VACUUM ANALYZE). Scopes: the province, a city (六安),
# a county (金寨), a township (梅山镇) and an office (金寨县's centre).
#
# The fixture goes into the schema bianmin creates (init --demo, then the
# real divisions imported), written by one sqlite3 script: a service centre
# per county and a township centre per township; half the cases at the
# county centres, half at the township centres; per case a hash decides:
# 3 % paused (no warn day), 1.5 % overdue by 1–15 days (red), the rest due
# in 0–39 days with a yellow threshold of 1–6 working days (about 11 %
# yellow today). Cases are written in region order without their
# secondary indexes, which are then built (much faster than 5 M random
# inserts); nothing is ANALYZEd (bianmin never runs ANALYZE).
#
# Each round runs, per scope, BENCH_SCAN_REQUESTS requests on one
# keep-alive connection (bench/scan/scan_http.c: median and p99), then the
# raw statements as many times in the sqlite3 shell (.timer on: the
# median and p99 of count + page; see raw below). The ratio is bianmin's median over the
# raw median; the reported figures are medians over BENCH_ROUNDS rounds.
# bench/run calls it (BENCH_ONLY=scan); it also runs alone. Figures:
# docs/performance.md "Warning scan".
#
# Knobs: BENCH_SCAN_DRIVER (sqlite | postgres), BIANMIN_BIN
# (build/bianmin), BENCH_ROUNDS (3), BENCH_DATA
# (../shared/data), BENCH_SCAN_CASES (5000000), BENCH_SCAN_REQUESTS (200),
# BENCH_SCAN_LIMIT (50 rows a page), BENCH_SCAN_KEEP (SQLite: a path:
# keep the built database there and reuse it the same day).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIANMIN_BIN:-$ROOT/build/bianmin}
ROUNDS=${BENCH_ROUNDS:-3}
DATA=${BENCH_DATA:-$ROOT/../shared/data}
N=${BENCH_SCAN_CASES:-5000000}
REQS=${BENCH_SCAN_REQUESTS:-200}
LIMIT=${BENCH_SCAN_LIMIT:-50}
KEEP=${BENCH_SCAN_KEEP:-}
DRIVER=${BENCH_SCAN_DRIVER:-sqlite}
say() { printf 'bench/scan: %s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "no binary at $BIN; run make build"; exit 1; }
command -v sqlite3 >/dev/null || { say "sqlite3 not found"; exit 1; }
D=$DATA/divisions
for f in provinces cities areas streets villages-34-anhui; do
  [ -f "$D/$f.csv" ] || { say "no $D/$f.csv (BENCH_DATA)"; exit 1; }
done

TMP=$(mktemp -d /tmp/bmscan.XXXXXX)
chmod 755 "$TMP" # the postgres user runs the throwaway cluster in it
PID=
PG_DIR=
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-cluster" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf -- "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$TMP/scan_http" "$ROOT/bench/scan/scan_http.c"

# Today, Shanghai, as a day number: the fixture's dates are relative to it.
T=$(( ($(date +%s) + 8 * 3600) / 86400 ))
if [ "$DRIVER" = sqlite ]; then
DBF=${KEEP:-$TMP/scan.db}
DB="sqlite:$DBF"
if [ -n "$KEEP" ] && [ -f "$KEEP" ] && [ "$(sqlite3 "$KEEP" "SELECT value FROM meta WHERE key = 'bench_scan'" 2>/dev/null)" = "$N@$T" ]; then
  say "reusing $KEEP"
else
  rm -f "$DBF" "$DBF-wal" "$DBF-shm"
  t0=$(date +%s.%N)
  "$BIN" --db "$DB" init --demo >/dev/null 2>>"$TMP/bianmin.log"
  "$BIN" --db "$DB" import regions "$D/provinces.csv" "$D/cities.csv" "$D/areas.csv" \
    "$D/streets.csv" "$D/villages-34-anhui.csv" >/dev/null 2>>"$TMP/bianmin.log"
  t1=$(date +%s.%N)
  say "schema, demo and divisions: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; writing $N cases"
  sqlite3 "$DBF" >/dev/null <<SQL
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
PRAGMA temp_store = MEMORY;
BEGIN;
INSERT INTO orgs (kind, name, region, created_at, updated_at)
  SELECT CASE level WHEN 3 THEN 'service_centre' ELSE 'township_centre' END,
         name || CASE level WHEN 3 THEN '政务服务中心（基准）' ELSE '为民服务中心（基准）' END,
         code, 0, 0
  FROM regions WHERE code LIKE '34%' AND level IN (3, 4) ORDER BY code;
CREATE TABLE bench_office (k INTEGER PRIMARY KEY, org_id INTEGER, region TEXT, kind TEXT, cnt INTEGER);
INSERT INTO bench_office (org_id, region, kind)
  SELECT id, region, kind FROM orgs WHERE name LIKE '%（基准）' ORDER BY region;
UPDATE bench_office SET cnt = CASE kind
  WHEN 'service_centre' THEN $N / 2 / (SELECT count(*) FROM bench_office WHERE kind = 'service_centre')
  ELSE $N / 2 / (SELECT count(*) FROM bench_office WHERE kind = 'township_centre') END;
CREATE TABLE bench_item (k INTEGER PRIMARY KEY, item_id INTEGER, version INTEGER);
INSERT INTO bench_item (k, item_id, version)
  SELECT row_number() OVER (ORDER BY v.item_id) - 1, v.item_id, v.version
  FROM item_versions v WHERE v.state = 'published' AND v.guide LIKE '%"kind":"committed"%';
CREATE TABLE bench_saved (sql TEXT);
INSERT INTO bench_saved SELECT sql FROM sqlite_master
  WHERE tbl_name = 'cases' AND sql IS NOT NULL AND (type = 'index' OR name = 'cases_filed');
COMMIT;
SQL
  # Drop the secondary indexes and the filing trigger (cases are filed as
  # 'submitted'; these are running ones), write, put them back.
  sqlite3 "$DBF" "SELECT 'DROP ' || CASE WHEN sql LIKE 'CREATE TRIGGER%' THEN 'TRIGGER ' ELSE 'INDEX ' END || name || ';' FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL AND (type = 'index' OR name = 'cases_filed')" >"$TMP/drop.sql"
  sqlite3 "$DBF" <"$TMP/drop.sql"
  NI=$(sqlite3 "$DBF" "SELECT count(*) FROM bench_item")
  sqlite3 "$DBF" >/dev/null <<SQL
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
PRAGMA temp_store = MEMORY;
BEGIN;
WITH c AS (
  SELECT o.k AS ok, o.org_id, o.region, n.value AS i,
         ((o.k * 1000003 + n.value) * 2654435761) % 4294967296 AS h
  FROM bench_office o, generate_series(0, o.cnt - 1) n
),
d AS (
  SELECT c.*, h % 1000 AS cls, 1 + (h / 1000) % 6 AS thr,
         CASE WHEN h % 1000 < 30 THEN $T + (h / 1000) % 40
              WHEN h % 1000 < 45 THEN $T - 1 - (h / 1000) % 15
              ELSE $T + (h / 1000) % 40 END AS due
  FROM c
)
INSERT INTO cases (case_no, query_code, item_id, item_version, org_id, region,
  r1, r2, r3, r4, kind, channel, state, applicant_kind, applicant_name,
  applicant_id, applicant_phone, step, notices, submitted_at, accepted_at,
  limit_days, legal_limit_days, due_day, legal_due_day, warn_day, warn_workdays,
  paused_at, revision, updated_at)
SELECT d.region || '-20261102-' || printf('%06d', d.i), 'BENCH234', bi.item_id, bi.version,
  d.org_id, d.region, substr(d.region, 1, 2) || '0000000000',
  substr(d.region, 1, 4) || '00000000', substr(d.region, 1, 6) || '000000',
  CASE WHEN substr(d.region, 7, 3) <> '000' THEN substr(d.region, 1, 9) || '000' END,
  'committed', 'window', CASE WHEN d.cls < 30 THEN 'paused' ELSE 'handling' END,
  'natural', '王小明', '341524198503121028', '13900001111', 1, 0,
  (d.due - 30) * 86400000, (d.due - 29) * 86400000, 20, 30, d.due, d.due + 14,
  CASE WHEN d.cls < 30 THEN NULL ELSE d.due - (d.thr - 1) * 7 / 5 END, d.thr,
  CASE WHEN d.cls < 30 THEN ($T - 2) * 86400000 END, 3, (d.due - 29) * 86400000
FROM d JOIN bench_item bi ON bi.k = d.h % $NI
ORDER BY d.ok, d.i;
COMMIT;
SQL
  t2=$(date +%s.%N)
  say "cases written: $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s; building the indexes"
  { echo "PRAGMA cache_size = -1000000;"; sqlite3 "$DBF" "SELECT sql || ';' FROM bench_saved"; } >"$TMP/restore.sql"
  sqlite3 "$DBF" <"$TMP/restore.sql" >/dev/null
  sqlite3 "$DBF" "INSERT INTO meta (key, value) VALUES ('bench_scan', '$N@$T') ON CONFLICT (key) DO UPDATE SET value = excluded.value; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  t3=$(date +%s.%N)
  say "indexes: $(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.1f", b - a }') s"
fi
else
  command -v psql >/dev/null || { say "psql not found"; exit 1; }
  PG_DIR=$TMP/pg
  PG_URL=$("$ROOT/scripts/pg-cluster" start "$PG_DIR")
  psql "$PG_URL" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE bm TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" >/dev/null
  DB=${PG_URL%/*}/bm
  t0=$(date +%s.%N)
  "$BIN" --db "$DB" init --demo >/dev/null 2>>"$TMP/bianmin.log"
  "$BIN" --db "$DB" import regions "$D/provinces.csv" "$D/cities.csv" "$D/areas.csv" \
    "$D/streets.csv" "$D/villages-34-anhui.csv" >/dev/null 2>>"$TMP/bianmin.log"
  t1=$(date +%s.%N)
  say "schema, demo and divisions: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; writing $N cases"
  psql "$DB" -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET maintenance_work_mem = '512MB';
INSERT INTO orgs (kind, name, region, created_at, updated_at)
  SELECT CASE level WHEN 3 THEN 'service_centre' ELSE 'township_centre' END,
         name || CASE level WHEN 3 THEN '政务服务中心（基准）' ELSE '为民服务中心（基准）' END,
         code, 0, 0
  FROM regions WHERE code LIKE '34%' AND level IN (3, 4) ORDER BY code;
CREATE TABLE bench_office (k BIGINT PRIMARY KEY, org_id BIGINT, region TEXT, kind TEXT, cnt INTEGER);
INSERT INTO bench_office (k, org_id, region, kind)
  SELECT row_number() OVER (ORDER BY region), id, region, kind FROM orgs WHERE name LIKE '%（基准）';
UPDATE bench_office SET cnt = CASE kind
  WHEN 'service_centre' THEN $N / 2 / (SELECT count(*) FROM bench_office WHERE kind = 'service_centre')
  ELSE $N / 2 / (SELECT count(*) FROM bench_office WHERE kind = 'township_centre') END;
CREATE TABLE bench_item (k BIGINT PRIMARY KEY, item_id BIGINT, version INTEGER);
INSERT INTO bench_item (k, item_id, version)
  SELECT row_number() OVER (ORDER BY v.item_id) - 1, v.item_id, v.version
  FROM item_versions v WHERE v.state = 'published' AND v.guide LIKE '%"kind":"committed"%';
CREATE TABLE bench_saved AS SELECT indexname, indexdef FROM pg_indexes
  WHERE tablename = 'cases' AND indexname NOT IN ('cases_pkey', 'cases_case_no_key');
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM bench_saved LOOP EXECUTE 'DROP INDEX ' || r.indexname; END LOOP;
END \$\$;
ALTER TABLE cases DISABLE TRIGGER cases_guarded;
INSERT INTO cases (case_no, query_code, item_id, item_version, org_id, region,
  r1, r2, r3, r4, kind, channel, state, applicant_kind, applicant_name,
  applicant_id, applicant_phone, step, notices, submitted_at, accepted_at,
  limit_days, legal_limit_days, due_day, legal_due_day, warn_day, warn_workdays,
  paused_at, revision, updated_at)
SELECT d.region || '-20261102-' || lpad(d.i::text, 6, '0'), 'BENCH234', bi.item_id, bi.version,
  d.org_id, d.region, substr(d.region, 1, 2) || '0000000000',
  substr(d.region, 1, 4) || '00000000', substr(d.region, 1, 6) || '000000',
  CASE WHEN substr(d.region, 7, 3) <> '000' THEN substr(d.region, 1, 9) || '000' END,
  'committed', 'window', CASE WHEN d.cls < 30 THEN 'paused' ELSE 'handling' END,
  'natural', '王小明', '341524198503121028', '13900001111', 1, 0,
  (d.due - 30) * 86400000::bigint, (d.due - 29) * 86400000::bigint, 20, 30, d.due, d.due + 14,
  CASE WHEN d.cls < 30 THEN NULL ELSE d.due - (d.thr - 1) * 7 / 5 END, d.thr,
  CASE WHEN d.cls < 30 THEN ($T - 2) * 86400000::bigint END, 3, (d.due - 29) * 86400000::bigint
FROM (
  SELECT c.*, h % 1000 AS cls, 1 + (h / 1000) % 6 AS thr,
         CASE WHEN h % 1000 < 30 THEN $T + (h / 1000) % 40
              WHEN h % 1000 < 45 THEN $T - 1 - (h / 1000) % 15
              ELSE $T + (h / 1000) % 40 END AS due
  FROM (
    SELECT o.k AS ok, o.org_id, o.region, n.i,
           ((o.k * 1000003 + n.i) * 2654435761) % 4294967296 AS h
    FROM bench_office o, generate_series(0, o.cnt - 1) AS n(i)
  ) c
) d JOIN bench_item bi ON bi.k = d.h % (SELECT count(*) FROM bench_item)
ORDER BY d.ok, d.i;
ALTER TABLE cases ENABLE TRIGGER cases_guarded;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM bench_saved LOOP EXECUTE r.indexdef; END LOOP;
END \$\$;
SQL
  t2=$(date +%s.%N)
  psql "$DB" -qX -c "VACUUM ANALYZE" >/dev/null # the statistics autovacuum keeps
  t3=$(date +%s.%N)
  say "cases and indexes: $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s; VACUUM ANALYZE $(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.1f", b - a }') s"
fi
# q — one SQL text on the bench database, rows as plain text.
q() { if [ "$DRIVER" = sqlite ]; then sqlite3 "$DBF" "$1"; else psql "$DB" -qAtX -c "$1"; fi; }
TOTAL=$(q "SELECT count(*) FROM cases WHERE state IN ('handling', 'paused')")
say "open cases: $TOTAL; yellow/red today in the province: $(q "SELECT sum(CASE WHEN due_day >= $T THEN 1 ELSE 0 END) || ' / ' || sum(CASE WHEN due_day < $T THEN 1 ELSE 0 END) FROM cases WHERE r1 = '340000000000' AND warn_day IS NOT NULL AND warn_day <= $T")"

printf 'bench-scan-pw-2026\n' | "$BIN" --db "$DB" user add bench_sup --name 安徽省电子监察（基准） \
  --role supervisor --region 340000000000 --password-stdin >/dev/null 2>>"$TMP/bianmin.log" || true
PORT=18780
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
"$BIN" --db "$DB" --listen "127.0.0.1:$PORT" --log-level warn serve 2>>"$TMP/bianmin.log" &
PID=$!
U=http://127.0.0.1:$PORT
for _ in $(seq 300); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done
TOK=$(curl -s -X POST "$U/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"login":"bench_sup","password":"bench-scan-pw-2026"}' | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOK" ] || { say "sign-in failed"; tail -5 "$TMP/bianmin.log" >&2; exit 1; }
OFFICE=$(q "SELECT org_id FROM bench_office WHERE region = '341524000000'")

# scope name, query string, scope column and key for the raw statements
SCOPES=(
  "province|region=340000000000|r1|'340000000000'"
  "city 六安|region=341500000000|r2|'341500000000'"
  "county 金寨|region=341524000000|r3|'341524000000'"
  "township 梅山|region=341524100000|r4|'341524100000'"
  "office 金寨县中心|org_id=$OFFICE|org_id|$OFFICE"
)
# raw — the two statements of the scan (store/cases.c WARN_COUNT and
# WARN_LIST with the parameters of a first page, both levels) REQS times in the sqlite3 shell;
# prints "<median ms> <p99 ms>" of count + page. Each statement's time is
# the shell's wall time (.timer: 1 ms resolution) or, when larger, its CPU
# time (user + sys, 1 µs), so sub-millisecond queries do not read as 0.
raw() {
  local col=$1 key=$2
  {
    if [ "$DRIVER" = sqlite ]; then echo ".timer on"; echo ".output /dev/null"; else echo '\timing on'; echo '\o /dev/null'; fi
    for _ in $(seq "$REQS"); do
      echo "SELECT (SELECT count(*) FROM cases WHERE $col = $key AND warn_day IS NOT NULL AND warn_day <= $T), (SELECT count(*) FROM cases WHERE $col = $key AND warn_day IS NOT NULL AND due_day < $T);"
      echo "SELECT c.id, c.case_no, c.state, c.region, b.name, c.org_id, o.name, c.due_day, c.warn_day, c.due_provisional FROM (SELECT id FROM cases WHERE $col = $key AND warn_day IS NOT NULL AND +warn_day <= $T AND due_day < 2147483647 AND (due_day, warn_day, id) > (-1, -1, 0) ORDER BY due_day, warn_day, id LIMIT $LIMIT) s JOIN cases c ON c.id = s.id JOIN items i ON i.id = c.item_id JOIN base_items b ON b.id = i.base_id JOIN orgs o ON o.id = c.org_id ORDER BY c.due_day, c.warn_day, c.id;"
    done
  } | if [ "$DRIVER" = sqlite ]; then
    sqlite3 "$DBF" 2>&1 | awk '/^Run Time: real/ { c = ($6 + $8) * 1000; t = $4 * 1000; if (c > t) t = c; if (++k % 2) a = t; else print a + t }'
  else
    psql "$DB" -qX 2>&1 | awk '/^Time: / { t = $2; if (++k % 2) a = t; else print a + t }'
  fi |
    sort -g | awk '{ v[NR] = $1 } END { p = int(NR * 0.99 + 0.5); if (p < 1) p = 1;
      printf "%.3f %.3f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[p] }'
}

say "query plans:"
EXPL=$([ "$DRIVER" = sqlite ] && echo "EXPLAIN QUERY PLAN" || echo "EXPLAIN")
q "$EXPL SELECT (SELECT count(*) FROM cases WHERE r1 = '340000000000' AND warn_day IS NOT NULL AND warn_day <= $T), (SELECT count(*) FROM cases WHERE r1 = '340000000000' AND warn_day IS NOT NULL AND due_day < $T)" | sed 's/^/  counts: /' >&2
q "$EXPL SELECT id FROM cases WHERE r1 = '340000000000' AND warn_day IS NOT NULL AND +warn_day <= $T AND due_day < 2147483647 AND (due_day, warn_day, id) > (-1, -1, 0) ORDER BY due_day, warn_day, id LIMIT $LIMIT" | sed 's/^/  page: /' >&2

say "warm-up"
for s in "${SCOPES[@]}"; do
  IFS='|' read -r name qs col key <<<"$s"
  "$TMP/scan_http" 127.0.0.1 "$PORT" "$TOK" 5 "/api/v1/case-warnings?$qs&limit=$LIMIT" >/dev/null
done
declare -A HM HP RM RP RT
for r in $(seq "$ROUNDS"); do
  for s in "${SCOPES[@]}"; do
    IFS='|' read -r name qs col key <<<"$s"
    read -r hm hp ok bytes < <("$TMP/scan_http" 127.0.0.1 "$PORT" "$TOK" "$REQS" "/api/v1/case-warnings?$qs&limit=$LIMIT")
    [ "$ok" = "$REQS" ] || say "  round $r $name: only $ok of $REQS answers were 200"
    read -r rm rp < <(raw "$col" "$key")
    ratio=$(awk -v a="$hm" -v b="$rm" 'BEGIN { printf "%.2f", a / b }')
    say "  round $r $name: bianmin median $hm ms p99 $hp ms ($bytes bytes); raw median $rm ms p99 $rp ms; ratio $ratio"
    HM[$name]+="$hm "; HP[$name]+="$hp "; RM[$name]+="$rm "; RP[$name]+="$rp "; RT[$name]+="$ratio "
  done
done
med() { printf '%s\n' $@ | sort -g | awk '{ v[NR] = $1 } END { printf "%s", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
counts() { curl -s "$U/api/v1/case-warnings?$1&limit=1" -H "Authorization: Bearer $TOK" | sed -n 's/.*"red":\([0-9]*\).*"yellow":\([0-9]*\).*/\1 red, \2 yellow/p'; }
echo
echo "warning scan ($DRIVER, HTTP, $TOTAL open cases, page of $LIMIT) — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $ROUNDS rounds × $REQS requests"
printf '| scope | flagged | bianmin median | bianmin p99 | raw %s median | raw p99 | ratio | median < 200 ms | p99 < 200 ms |\n|---|---|---|---|---|---|---|---|---|\n' "$([ "$DRIVER" = sqlite ] && echo sqlite3 || echo psql)"
MISSED=0
RESULTS=()
for s in "${SCOPES[@]}"; do
  IFS='|' read -r name qs col key <<<"$s"
  hm=$(med ${HM[$name]}); hp=$(med ${HP[$name]}); rm=$(med ${RM[$name]}); rp=$(med ${RP[$name]}); rt=$(med ${RT[$name]})
  if awk -v v="$hm" 'BEGIN { exit !(v < 200) }'; then res=met; else res=MISSED; MISSED=$((MISSED + 1)); fi
  if awk -v v="$hp" 'BEGIN { exit !(v < 200) }'; then res99=met; else res99=MISSED; MISSED=$((MISSED + 1)); fi
  printf '| %s | %s | %s ms | %s ms | %s ms | %s ms | %s× | %s | %s |\n' "$name" "$(counts "$qs")" "$hm" "$hp" "$rm" "$rp" "$rt" "$res" "$res99"
  RESULTS+=("$(printf 'RESULT\tscan\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$DRIVER" "$name" "$hm" "$hp" "$rm" "$rp" "$rt")")
done
[ "$MISSED" = 0 ] || echo "TARGETS MISSED: $MISSED"
# Machine-readable lines for bench/run: driver, scope, bianmin median, p99,
# raw median, p99 (ms), ratio of the medians.
printf '%s\n' "${RESULTS[@]}"
