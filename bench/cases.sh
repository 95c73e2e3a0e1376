#!/usr/bin/env bash
# bench/cases.sh — complete case life cycles per second through the HTTP
# API on SQLite (WAL, synchronous=FULL, group commit), against the raw
# SQLite rate of one-step transactions measured in the same run. Each life
# cycle is submit → accept → two review steps → decide → deliver → close:
# 7 requests, 7 durable write units (each with its event and audit row),
# with BENCH_CASES_CLIENTS (64) cases in flight at once. The reference is
# the sqlite3 shell running BEGIN; UPDATE case; INSERT event; COMMIT; on the
# same disk (MEASUREMENTS.md §2), divided by 7 to give life cycles/s.
# bench/run calls it (BENCH_ONLY=cases); it also runs alone. Method and
# figures: docs/performance.md "Case life cycles".
#
# Knobs: BIANMIN_BIN (build/bianmin), BENCH_ROUNDS (3), BENCH_SECONDS (8),
# BENCH_CASES_CLIENTS (64), BENCH_CASES_RAW_N (7000 raw transactions).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIANMIN_BIN:-$ROOT/build/bianmin}
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-8}
CLIENTS=${BENCH_CASES_CLIENTS:-64}
RAW_N=${BENCH_CASES_RAW_N:-7000}
say() { printf 'bench/cases: %s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "no binary at $BIN; run make build"; exit 1; }
command -v sqlite3 >/dev/null || { say "sqlite3 not found"; exit 1; }

TMP=$(mktemp -d /tmp/bmcases.XXXXXX)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf -- "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$TMP/lifecycle" "$ROOT/bench/cases/lifecycle.c" -lpthread

DB="sqlite:$TMP/cases.db"
"$BIN" --db "$DB" init --demo >/dev/null 2>>"$TMP/bianmin.log"
# Due dates of cases filed late in a year run into the next: import it
# when it is not shipped (the test fixture stands in for the notice).
"$BIN" --db "$DB" calendar import "$ROOT/tests/fixtures/holidays-2027.json" >/dev/null 2>>"$TMP/bianmin.log" || true
PORT=18680
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
"$BIN" --db "$DB" --listen "127.0.0.1:$PORT" --log-level warn serve 2>>"$TMP/bianmin.log" &
PID=$!
U=http://127.0.0.1:$PORT
for _ in $(seq 150); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done

tok() {
  curl -s -X POST "$U/api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"Bianmin-Demo-2026\"}" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p'
}
CL=$(tok jinzhai_clerk)
RV=$(tok jinzhai_reviewer)
DC=$(tok jinzhai_decider)
[ -n "$CL" ] && [ -n "$RV" ] && [ -n "$DC" ] || { say "sign-in failed"; exit 1; }
# 最低生活保障 of 梅山镇: intake, two review steps, decision, delivery; the
# result is an electronic licence. Licence and shared-data materials are
# looked up (and logged) on every filing; the rest is one uploaded file and
# a commitment.
ITEM=$(curl -s "$U/api/v1/items?region=341524100000&limit=200" |
  grep -o '"id":[0-9]*,"code":"BM34150001-341524100000-[^"]*"' | head -n 1 | sed 's/"id":\([0-9]*\),.*/\1/')
[ -n "$ITEM" ] || { say "demo item BM34150001 of 梅山镇 not found"; exit 1; }
SHA=$(printf '%%PDF-1.4 bench\n' | curl -s -X POST "$U/api/v1/files" -H "Authorization: Bearer $CL" \
  -H 'Content-Type: application/pdf' --data-binary @- | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
MATS="["
for i in 0 1 2 3 4 5 6; do MATS="$MATS{\"index\":$i,\"file\":\"$SHA\"},"; done
MATS="$MATS{\"index\":7,\"commitment\":true}]"

# The reference: the same disk, WAL, synchronous=FULL, one step per commit.
raw() {
  local db=$TMP/raw.db
  rm -f "$db" "$db-wal" "$db-shm"
  sqlite3 "$db" "PRAGMA journal_mode=WAL;" >/dev/null
  sqlite3 "$db" "CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT NOT NULL, step INTEGER NOT NULL, revision INTEGER NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE case_events (id INTEGER PRIMARY KEY, case_id BIGINT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, actor_id BIGINT, at BIGINT NOT NULL);
CREATE INDEX case_events_case ON case_events(case_id, id);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO cases SELECT i, 'handling', 0, 1, 0 FROM n;"
  awk -v n="$RAW_N" 'BEGIN {
    print "PRAGMA synchronous=FULL;"
    for (i = 1; i <= n; i++) {
      c = i % 1000 + 1
      printf "BEGIN; UPDATE cases SET step = step + 1, revision = revision + 1, updated_at = %d WHERE id = %d; INSERT INTO case_events (case_id, action, from_state, to_state, actor_id, at) VALUES (%d, \x27step\x27, \x27handling\x27, \x27handling\x27, 12, %d); COMMIT;\n", i, c, c, i
    }
  }' >"$TMP/raw.sql"
  local t0 t1
  t0=$(date +%s.%N)
  sqlite3 "$db" <"$TMP/raw.sql" >/dev/null
  t1=$(date +%s.%N)
  awk -v n="$RAW_N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }'
}

say "warm-up"
"$TMP/lifecycle" 127.0.0.1 "$PORT" "$CLIENTS" 2 "$ITEM" "$MATS" "$CL" "$RV" "$DC" >/dev/null
RATIOS=()
LCS=()
RAWS=()
for r in $(seq "$ROUNDS"); do
  line=$("$TMP/lifecycle" 127.0.0.1 "$PORT" "$CLIENTS" "$SECS" "$ITEM" "$MATS" "$CL" "$RV" "$DC")
  set -- $line
  lc=$(awk -v n="$2" -v s="$4" 'BEGIN { printf "%.1f", n / s }')
  [ "$6" = 0 ] || say "  round $r: $6 life cycles failed (not counted)"
  commits=$(raw)
  rawlc=$(awk -v c="$commits" 'BEGIN { printf "%.1f", c / 7 }')
  ratio=$(awk -v a="$lc" -v b="$rawlc" 'BEGIN { printf "%.2f", a / b }')
  say "  round $r: bianmin $lc life cycles/s (p50 $8 ms, p99 ${10} ms per life cycle); raw sqlite3 $commits commits/s = $rawlc life cycles/s; ratio $ratio"
  LCS+=("$lc")
  RAWS+=("$commits")
  RATIOS+=("$ratio")
done
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
units=$(sqlite3 "$TMP/cases.db" "SELECT count(*) FROM case_events" 2>/dev/null || echo '?')
LC=$(med "${LCS[@]}")
RAWM=$(med "${RAWS[@]}")
RATIO=$(med "${RATIOS[@]}")
echo
echo "case life cycles (SQLite, HTTP, $CLIENTS in flight, synchronous=FULL) — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, median of $ROUNDS rounds"
echo "bianmin: $LC life cycles/s | raw sqlite3 one-step commits: $RAWM/s = $(awk -v c="$RAWM" 'BEGIN { printf "%.1f", c / 7 }') life cycles/s | ratio ${RATIO}x (median of per-round ratios) | events written: $units"
if awk -v v="$LC" 'BEGIN { exit !(v >= 500) }'; then echo "target >= 500 life cycles/s: met"; else echo "target >= 500 life cycles/s: MISSED"; fi
# The machine-readable line bench/run reads: life cycles/s, raw one-step
# commits/s, ratio (median of the per-round ratios).
printf 'RESULT\tcases\t%s\t%s\t%s\n' "$LC" "$RAWM" "$RATIO"
