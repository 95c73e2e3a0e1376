#!/usr/bin/env bash
# bench/search.sh — the Chinese item search at 100,000 items: the raw index
# query (FTS5 / tsvector, through store/search.c) against the app's search
# (synonyms, candidates, ranking in C) on the same corpus, SQLite and, when
# PostgreSQL is installed, PostgreSQL. bench/run calls it (BENCH_ONLY=search);
# it also runs alone. Prints per-query medians and the overall median and
# p99 with their ratios; method and figures in docs/performance.md "Search".
#
# Knobs: BENCH_SEARCH_ITEMS (100000), BENCH_SEARCH_RUNS (15 per query),
# BENCH_SEARCH_PG (1: also PostgreSQL), BIANMIN_BUILD (a CMake build dir
# with the static libraries; default build/), BENCH_DATA (../shared/data).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BIANMIN_BUILD:-$ROOT/build}
DATA=${BENCH_DATA:-$ROOT/../shared/data}
N=${BENCH_SEARCH_ITEMS:-100000}
RUNS=${BENCH_SEARCH_RUNS:-15}
PG=${BENCH_SEARCH_PG:-1}
say() { printf 'bench/search: %s\n' "$*" >&2; }

for lib in core store app; do
  [ -f "$BUILD/libbianmin_$lib.a" ] || { say "no $BUILD/libbianmin_$lib.a; build first"; exit 1; }
done
TMP=$(mktemp -d /tmp/bmsearch.XXXXXX)
chmod 755 "$TMP"
PG_DIR=
cleanup() {
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-cluster" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf -- "$TMP"
}
trap cleanup EXIT

# The harness, linked like the store tests (sanitizer flags when the build
# has them).
SAN=
if grep -q 'BIANMIN_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  SAN="-fsanitize=address,undefined"
fi
cc -std=gnu11 -O2 $SAN -I"$ROOT/src" -DBIANMIN_DATA_DIR="\"$ROOT/data\"" \
  "$ROOT/bench/search/search_bench.c" -o "$TMP/search_bench" \
  "$BUILD/libbianmin_app.a" "$BUILD/libbianmin_store.a" "$BUILD/libbianmin_core.a" \
  $(pkg-config --libs sqlite3 libpq jansson libsodium) -lcsv -lpthread

run() { # URL NAME
  say "$2: generating $N items"
  local t0=$(date +%s)
  "$TMP/search_bench" gen "$1" "$DATA" "$N"
  say "$2: generated in $(( $(date +%s) - t0 )) s"
  "$TMP/search_bench" time "$1" "$ROOT/bench/search/queries.tsv" "$RUNS"
}

run "sqlite:$TMP/search.db" sqlite
if command -v sqlite3 >/dev/null; then
  say "sqlite: database $(du -m "$TMP/search.db" | cut -f1) MB"
fi
if [ "$PG" = 1 ] && command -v pg_config >/dev/null; then
  PG_DIR=$TMP/pg
  URL=$("$ROOT/scripts/pg-cluster" start "$PG_DIR")
  run "$URL" postgres
fi
