#!/usr/bin/env bash
# bench/search.sh — the Chinese item search at 100,000 implementation items,
# each side against the raw query (the server's own candidate statement,
# bare: store_search_staged in store/search.c) measured in the same run, on
# SQLite and, when PostgreSQL is installed, PostgreSQL. bench/run calls it
# (BENCH_ONLY=search); it also runs alone. Two parts:
#
#   http    the public route GET /api/v1/items?q=… over HTTP, on a catalogue
#           of N items generated from the real item names and imported
#           through the product's own path (`bianmin import catalogue
#           --as-is`: orgs, items, published versions, index), served by
#           `bianmin serve --log-level warn`; each request timed alone on
#           one keep-alive connection against the raw query on the
#           server's database file, interleaved. ROUNDS rounds; the
#           figures are the medians of the per-round figures.
#   inproc  app_search_items in-process against the raw query, on a corpus
#           written straight into the index (search_bench gen).
#
# Prints per-query medians and, per round, the overall median and p99 of
# each side with their ratios; method and figures in docs/performance.md
# "Search".
#
# Knobs: BENCH_SEARCH_ITEMS (100000), BENCH_SEARCH_RUNS (20 per query and
# round), BENCH_ROUNDS (3), BENCH_SEARCH_PARTS ("http inproc"),
# BENCH_SEARCH_SQLITE / BENCH_SEARCH_PG (1: run on that database),
# BIANMIN_BUILD (a CMake build dir
# with bianmin and the static libraries; default build/), BENCH_DATA
# (../shared/data).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BIANMIN_BUILD:-$ROOT/build}
DATA=${BENCH_DATA:-$ROOT/../shared/data}
N=${BENCH_SEARCH_ITEMS:-100000}
RUNS=${BENCH_SEARCH_RUNS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
PARTS=${BENCH_SEARCH_PARTS:-http inproc}
PG=${BENCH_SEARCH_PG:-1}
BIN=$BUILD/bianmin
QUERIES=$ROOT/bench/search/queries.tsv
DIV=$DATA/divisions
say() { printf 'bench/search: %s\n' "$*" >&2; }
part() { [[ " $PARTS " == *" $1 "* ]]; }

for lib in core store app; do
  [ -f "$BUILD/libbianmin_$lib.a" ] || { say "no $BUILD/libbianmin_$lib.a; build first"; exit 1; }
done
TMP=$(mktemp -d /tmp/bmsearch.XXXXXX)
chmod 755 "$TMP"
PG_DIR=
SERVE_PID=
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-cluster" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf -- "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The harness, linked like the store tests (sanitizer flags when the build
# has them).
SAN=
if grep -q 'BIANMIN_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  SAN="-fsanitize=address,undefined"
fi
cc -std=gnu11 -O2 $SAN -I"$ROOT/src" -DBIANMIN_DATA_DIR="\"$ROOT/data\"" \
  "$ROOT/bench/search/search_bench.c" -o "$TMP/search_bench" \
  "$BUILD/libbianmin_app.a" "$BUILD/libbianmin_store.a" "$BUILD/libbianmin_core.a" \
  $(pkg-config --libs sqlite3 libpq jansson libsodium) \
  $(pkg-config --libs libcurl 2>/dev/null) -lcsv -lpthread

# summary NAME FILE — the median over rounds of each figure of the
# "ALL raw median … http median …" lines in FILE.
summary() {
  awk -v name="$1" '
    /^ALL / { n++; rm[n] = $4; rp[n] = $7; hm[n] = $12; hp[n] = $15; qm[n] = $20; qp[n] = $22; om[n] = $29; oq[n] = $33 }
    /^CPU per search/ { c++; cs[c] = $5; cr[c] = $8; cq[c] = $11 }
    function med(a,   i, j, t, b) {
      for (i = 1; i <= n; i++) b[i] = a[i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
      return b[int((n + 1) / 2)]
    }
    END {
      if (!n) { print "SEARCH " name ": no result"; exit }
      printf "SEARCH %s (median of %d rounds): raw median %.2f ms p99 %.2f ms | %s median %.2f ms p99 %.2f ms | ratio median %.2f p99 %.2f\n",
        name, n, med(rm), med(rp), (name ~ /http/ ? "http" : "app"), med(hm), med(hp), med(qm), med(qp)
      # machine-readable, for bench/run: name, raw median, raw p99, bianmin
      # median, p99 (ms), ratio median, ratio p99
      printf "RESULT\tsearch\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", name, med(rm), med(rp), med(hm), med(hp), med(qm), med(qp)
      if (om[1] != "")
        printf "SEARCH %s one-stage raw (the reference before 2026-11-23 19:00): median %.2f ms, ratio median %.2f\n", name, med(om), med(oq)
      if (c) {
        for (i = 1; i <= c; i++) { a1[i] = cs[i]; a2[i] = cr[i]; a3[i] = cq[i] }
        n = c
        printf "SEARCH %s CPU per search (median of %d rounds): server %.2f ms, raw %.2f ms, ratio %.2f\n", name, c, med(a1), med(a2), med(a3)
      }
    }' "$2"
}

# import_catalogue DBURL NAME — regions and the generated catalogue.
import_catalogue() {
  "$BIN" --db "$1" init >/dev/null
  "$BIN" --db "$1" import regions "$DIV/provinces.csv" "$DIV/cities.csv" "$DIV/areas.csv" >/dev/null
  local t0 t1 f
  t0=$(date +%s.%N)
  for f in "$TMP"/cat/cat-*.json; do
    "$BIN" --db "$1" import catalogue "$f" --as-is >/dev/null
  done
  t1=$(date +%s.%N)
  say "$2: imported $N items in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s (bianmin import catalogue --as-is, $(ls "$TMP"/cat | wc -l) files)"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_part DBURL NAME — serve it, then ROUNDS rounds of the HTTP timing.
http_part() {
  local port=18590
  while port_busy "$port"; do port=$((port + 1)); done
  "$BIN" --db "$1" --listen "127.0.0.1:$port" --log-level warn serve 2>>"$TMP/serve.log" &
  SERVE_PID=$!
  for _ in $(seq 150); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
  done
  local r
  : >"$TMP/http.$2"
  for r in $(seq "$ROUNDS"); do
    say "$2 http: round $r"
    SB_SERVER_PID=$SERVE_PID "$TMP/search_bench" http "127.0.0.1:$port" "$1" "$QUERIES" "$RUNS" | tee -a "$TMP/http.$2"
  done
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=
  summary "$2 http" "$TMP/http.$2"
}

# inproc_part DBURL NAME — the in-process comparison on its own corpus.
inproc_part() {
  say "$2 inproc: generating $N items"
  "$TMP/search_bench" gen "$1" "$DATA" "$N"
  local r
  : >"$TMP/inproc.$2"
  for r in $(seq "$ROUNDS"); do
    say "$2 inproc: round $r"
    "$TMP/search_bench" time "$1" "$QUERIES" "$RUNS" | tee -a "$TMP/inproc.$2"
  done
  summary "$2 inproc" "$TMP/inproc.$2"
}

if part http; then
  [ -x "$BIN" ] || { say "no $BIN; build first"; exit 1; }
  mkdir "$TMP/cat"
  "$TMP/search_bench" catalogue "$DATA" "$N" "$TMP/cat" 20000 >&2
fi
run() { # DBURL NAME
  if part http; then
    import_catalogue "$1" "$2"
    if [[ $1 == postgresql:* ]]; then
      psql -q "$1" -c "VACUUM ANALYZE" # the statistics autovacuum keeps
    else
      say "$2: database $(du -cm "${1#sqlite:}"* | tail -n 1 | cut -f1) MB"
    fi
    http_part "$1" "$2"
  fi
  if part inproc; then
    local url=$1
    if [[ $1 == postgresql:* ]]; then
      psql -q "$1" -c "CREATE DATABASE bm_inproc"
      url=${1%/*}/bm_inproc
    else
      url=sqlite:$TMP/inproc.db
    fi
    inproc_part "$url" "$2"
  fi
}

if [ "${BENCH_SEARCH_SQLITE:-1}" = 1 ]; then run "sqlite:$TMP/search.db" sqlite; fi
if [ "$PG" = 1 ] && command -v pg_config >/dev/null; then
  PG_DIR=$TMP/pg
  URL=$("$ROOT/scripts/pg-cluster" start "$PG_DIR")
  psql -q "$URL" -c "CREATE DATABASE bm"
  run "${URL%/*}/bm" postgres
fi
