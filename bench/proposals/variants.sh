#!/usr/bin/env bash
# variants.sh SCALE: the before/after measurements of the query proposals in BENCHMARKS.md, through the raw
# driver (bench/cmd/variant), on the statements a load run captured (bench/out/SCALE/trace.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-M}
dur=${DURATION:-10s}
v() { bench/out/bin/variant -trace "bench/out/$scale/trace.json" -duration "$dur" "$@"; }

# The per-relation filter as the store writes it, and its parts.
asof='(r.sinceKey <= $asOfEnd AND r.untilKey >= $asOfStart)'
opt=' AND ($minConfidence IS NULL OR r.confidence >= $minConfidence) AND ($statuses IS NULL OR r.status IN $statuses)'
retired=' AND ($includeRetired OR r.retired IS NULL)'

# 1. neighbourhood: Top-N per frontier actor (ORDER BY ... LIMIT $perNode) instead of collecting every
#    relation of the actor and slicing; the cut counted from the degree store.
collect_all=$'WITH r, m ORDER BY r.confidence DESC, r.id\n    WITH collect({r: r, m: m}) AS found\n    RETURN found[0..$perNode] AS taken, size(found) - size(found[0..$perNode]) AS cut'
top_n=$'WITH r, m ORDER BY r.confidence DESC, r.id LIMIT $perNode\n    WITH collect({r: r, m: m}) AS taken\n    RETURN taken, COUNT { (f)--() } - size(taken) AS cut'
scan_cap=$'WITH r, m LIMIT 2000\n    WITH r, m ORDER BY r.confidence DESC, r.id LIMIT $perNode\n    WITH collect({r: r, m: m}) AS taken\n    RETURN taken, COUNT { (f)--() } - size(taken) AS cut'
for q in neighbourhood2_hub neighbourhood2; do
  echo "== $q: top-N among the first 2,000 relations of each actor (bounded scan), only the active predicates"
  v -query "$q" -conc 1,8 -replace "$collect_all=>$scan_cap" -replace "WHERE $asof$opt$retired AND (\$kinds IS NULL OR m.kind IN \$kinds)=>WHERE r.retired IS NULL"
  echo "== $q: top-N per actor"
  v -query "$q" -conc 1,8 -replace "$collect_all=>$top_n"
  echo "== $q: top-N per actor, and only the active filter predicates (the retired check stays)"
  v -query "$q" -conc 1,8 -replace "$collect_all=>$top_n" -replace "WHERE $asof$opt$retired AND (\$kinds IS NULL OR m.kind IN \$kinds)=>WHERE r.retired IS NULL"
done

# 2. paths and shortestPath: only the active predicates inside the quantified path pattern.
for q in paths5 shortestPath; do
  echo "== $q: only the active filter predicates"
  v -query "$q" -conc 1,8 -replace "[r WHERE $asof$opt$retired]=>[r WHERE r.retired IS NULL]" \
    -replace '(x:Actor WHERE NOT x.id IN $avoid AND ($kinds IS NULL OR x.kind IN $kinds OR x = b))=>(x:Actor)'
done

# 3. fundingChannels into a recipient: one shortest chain per funder (proposals/funding-shortest-per-funder.diff).
echo "== fundingChannels: SHORTEST 1 per funder"
v -query fundingChannels -conc 1,8 -cypher-file bench/proposals/funding-recipient.cypher
