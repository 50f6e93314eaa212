#!/usr/bin/env bash
# soak.sh: `make soak`. Ten minutes of mixed investigation queries at a fixed rate, with two writers, on the
# scale-M graph of the benchmark's Neo4j (port 7690, .neo4j/bench); loads scale M there first when it is not
# loaded yet. Prints per-minute figures and the checks (no errors other than deliberate ones, p99 stable,
# memory flat); exits non-zero when a check fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NEO4J_PORT=${NEO4J_PORT:-7690} NEO4J_DATA_DIR=${NEO4J_DATA_DIR:-$root/.neo4j/bench}
export NEO4J_HEAP=${NEO4J_HEAP:-6g} NEO4J_PAGECACHE=${NEO4J_PAGECACHE:-4g} NEO4J_TX_TIMEOUT=${NEO4J_TX_TIMEOUT:-3600s}
tools/neo4j/neo4j.sh start
mkdir -p bench/out
actors=$(go run ./bench/cmd/soak -uri "neo4j://127.0.0.1:$NEO4J_PORT" -count-actors)
if [ "$actors" -lt 100000 ]; then
  echo "soak: $actors actors loaded; importing scale M (1M relations)"
  go run ./bench/cmd/import -scale M
fi
go run ./bench/cmd/soak -uri "neo4j://127.0.0.1:$NEO4J_PORT" -duration "${DURATION:-10m}" -rate "${RATE:-40}" \
  -writers "${WRITERS:-2}" -out bench/out/soak.json | tee bench/out/soak.md
