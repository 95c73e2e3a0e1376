#!/usr/bin/env bash
# bench/proofs.sh — the proof clean-up analyser at 100,000 items, SQLite
# and, when BENCH_PROOFS_PG=1, PostgreSQL: the time to read the catalogue
# rows with their whole guides (the baseline: what the analyser read before
# digests) against reading the rows with their material digests, the whole
# analysis (app_proofs_analyse, from digests) and the analysis from guides,
# interleaved over BENCH_PROOFS_RUNS rounds (medians; ratio = median of the
# per-round ratios). Fails when the two analyses' reports differ. The last
# line per database is "RESULT<TAB>driver<TAB>baseline<TAB>digest read<TAB>
# analyser<TAB>analyser from guides<TAB>ratio" (seconds; bench/run reads it).
# Knobs: BENCH_PROOFS_ITEMS (100000), BENCH_PROOFS_RUNS (3), BIANMIN_BUILD
# (a CMake build dir with the static libraries; default build/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BIANMIN_BUILD:-$ROOT/build}
N=${BENCH_PROOFS_ITEMS:-100000}
RUNS=${BENCH_PROOFS_RUNS:-3}
PG=${BENCH_PROOFS_PG:-0}
say() { printf 'bench/proofs: %s\n' "$*" >&2; }
for lib in core store app; do
  [ -f "$BUILD/libbianmin_$lib.a" ] || { say "no $BUILD/libbianmin_$lib.a; build first"; exit 1; }
done
TMP=$(mktemp -d /tmp/bmproofs.XXXXXX)
chmod 755 "$TMP"
PG_DIR=
cleanup() {
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-cluster" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf -- "$TMP"
}
trap cleanup EXIT
SAN=
if grep -q 'BIANMIN_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  SAN="-fsanitize=address,undefined"
fi
cc -std=gnu11 -O2 $SAN -I"$ROOT/src" -DBIANMIN_DATA_DIR="\"$ROOT/data\"" \
  "$ROOT/bench/proofs/proofs_bench.c" -o "$TMP/proofs_bench" \
  "$BUILD/libbianmin_app.a" "$BUILD/libbianmin_store.a" "$BUILD/libbianmin_core.a" \
  $(pkg-config --libs sqlite3 libpq jansson libsodium libcurl) -lcsv -lpthread
say "sqlite: generating $N items"
"$TMP/proofs_bench" gen "sqlite:$TMP/p.db" "$N"
"$TMP/proofs_bench" time "sqlite:$TMP/p.db" "$RUNS" | sed 's/^RESULT\t/RESULT\tsqlite\t/' 
if [ "$PG" = 1 ]; then
  PG_DIR="$TMP/pg"
  URL=$("$ROOT/scripts/pg-cluster" start "$PG_DIR" | tail -1)
  psql "$URL" -qc "CREATE DATABASE bmproofs TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
  PURL=$(printf '%s' "$URL" | sed -E 's#/[^/?]*(\?|$)#/bmproofs\1#')
  say "postgres: generating $N items"
  "$TMP/proofs_bench" gen "$PURL" "$N"
  "$TMP/proofs_bench" time "$PURL" "$RUNS" | sed 's/^RESULT\t/RESULT\tpostgres\t/' 
fi
