#!/usr/bin/env bash
# run.sh: the whole benchmark in one command (what a `make bench` target would run).
#
#   bench/run.sh                 # scales S and M, 30 s per cell, concurrency 1, 8, 32
#   DURATION=10s bench/run.sh S  # one scale, shorter cells
#   QUICK=1 bench/run.sh XS      # smoke run (2 s per cell, c = 1, 8, 20 items)
#
# For each scale it starts the benchmark's own Neo4j (port 7690, data in .neo4j/bench, heap 6g, page cache
# 4g) on a fresh data folder, imports the generated graph through the project's loader, runs the query
# benchmark (which, between cells, waits for Neo4j to be idle and terminates what a system left running), and
# stops Neo4j. Results: bench/out/SCALE/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scales=("$@")
[ ${#scales[@]} -eq 0 ] && scales=(S M)
export NEO4J_PORT=${BENCH_NEO4J_PORT:-7690} NEO4J_DATA_DIR=${BENCH_NEO4J_DATA_DIR:-$root/.neo4j/bench}
export NEO4J_HEAP=${BENCH_NEO4J_HEAP:-6g} NEO4J_PAGECACHE=${BENCH_NEO4J_PAGECACHE:-4g}
neo=tools/neo4j/neo4j.sh
uri="neo4j://127.0.0.1:$NEO4J_PORT"

bench/build.sh
if [ ! -d bench/peer/node_modules ]; then (cd bench/peer && npm ci --no-audit --no-fund); fi
load_args=(-duration "${DURATION:-30s}")
[ -n "${QUICK:-}" ] && load_args=(-quick)

trap '$neo stop >/dev/null 2>&1 || true' EXIT
for scale in "${scales[@]}"; do
  $neo stop
  rm -rf "$NEO4J_DATA_DIR"
  NEO4J_TX_TIMEOUT=3600s $neo start
  # Store.Import loads every scale (into the fresh database: an initial load, graph/bulk.go); IMPORT_METHOD=bulk
  # measures the offline neo4j-admin reference instead.
  method=${IMPORT_METHOD:-store}
  bench/out/bin/import -scale "$scale" -method "$method" -uri "$uri" -neo4j-pid-file "$NEO4J_DATA_DIR/neo4j.pid"
  bench/out/bin/load -scale "$scale" -uri "$uri" "${load_args[@]}"
done
