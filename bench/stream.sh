#!/usr/bin/env bash
# stream.sh: a large dataset loaded as a user loads it: the generated graph written as JSON Lines
# (bench/out/SCALE/dataset.jsonl, `gen -jsonl`), then `actorgraph seed --file` into a freshly started, empty
# Neo4j (port 7694, data in .neo4j/stream, heap 6g, page cache 4g, as the benchmark's). Prints the loader's
# wall time and peak RSS (/usr/bin/time -v), its phases (the store's log) and the Neo4j JVM's CPU time.
#
#   bench/stream.sh M
#   bench/stream.sh L     # 10M relations: about 3 GB of JSON Lines, 17 GB of database
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scale=${1:-M}
export NEO4J_PORT=${STREAM_NEO4J_PORT:-7694} NEO4J_DATA_DIR=$root/.neo4j/stream
export NEO4J_HEAP=${STREAM_NEO4J_HEAP:-6g} NEO4J_PAGECACHE=${STREAM_NEO4J_PAGECACHE:-4g} NEO4J_TX_TIMEOUT=3600s
neo=tools/neo4j/neo4j.sh
out=bench/out/$scale
mkdir -p "$out"
bench/build.sh   # the commands of HEAD (actorgraph included), as run.sh builds them
data="$out/dataset.jsonl"
if [ ! -s "$data" ]; then
  bench/out/bin/gen -scale "$scale" -jsonl "$data.tmp" >/dev/null
  mv "$data.tmp" "$data"
fi
trap '$neo stop >/dev/null 2>&1 || true' EXIT
$neo stop >/dev/null 2>&1 || true
rm -rf "$NEO4J_DATA_DIR"
$neo start >/dev/null
pid=$(cat "$NEO4J_DATA_DIR/neo4j.pid")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
log="$out/stream-$(date +%Y%m%d-%H%M%S).log"
echo "loading $data: $(wc -l <"$data") lines ($(du -h "$data" | cut -f1)) at commit $(git rev-parse --short HEAD); log: $log"
NEO4J_URI="neo4j://127.0.0.1:$NEO4J_PORT" \
  /usr/bin/time -v bench/out/bin/actorgraph seed --file "$data" >"$log" 2>&1 || { tail -20 "$log"; exit 1; }
echo "neo4j cpu: $(( ($(ticks) - before) / $(getconf CLK_TCK) )) s"
grep -E 'initial load|seed loaded|Elapsed|Maximum resident' "$log"
