#!/usr/bin/env bash
# relcost.sh: what a relation costs Neo4j's transactional path, by what it carries (bench/cmd/relcost), each
# property set into a freshly started, empty Neo4j of its own (port 7694, data in .neo4j/relcost, heap 6g, page
# cache 4g, as the benchmark's), one after the other. Prints each set's rate and Neo4j CPU time.
#
#   bench/relcost.sh                # scale M, every set
#   bench/relcost.sh S none full    # one scale, some sets
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scale=${1:-M}
shift || true
props=("$@")
[ ${#props[@]} -eq 0 ] && props=(none id scalars packed full)
export NEO4J_PORT=${RELCOST_NEO4J_PORT:-7694} NEO4J_DATA_DIR=$root/.neo4j/relcost
export NEO4J_HEAP=6g NEO4J_PAGECACHE=4g NEO4J_TX_TIMEOUT=3600s
neo=tools/neo4j/neo4j.sh
bench/build.sh   # the commands of HEAD, as run.sh builds them
trap '$neo stop >/dev/null 2>&1 || true' EXIT
for p in "${props[@]}"; do
  $neo stop >/dev/null 2>&1 || true
  rm -rf "$NEO4J_DATA_DIR"
  $neo start >/dev/null
  bench/out/bin/relcost -scale "$scale" -props "$p" -uri "neo4j://127.0.0.1:$NEO4J_PORT" \
    -neo4j-pid-file "$NEO4J_DATA_DIR/neo4j.pid"
done
