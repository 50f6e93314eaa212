#!/usr/bin/env bash
# build.sh: build the benchmark's binaries into bench/out/bin from a snapshot of the committed tree (HEAD)
# plus the working copy of bench/, so that a benchmark run measures one known commit even while the work
# tree is being edited. Prints the commit it built.
#
#   bench/build.sh            # snapshot HEAD (default)
#   COMMIT=dd68604 bench/build.sh      # snapshot another commit
#   SNAPSHOT=worktree bench/build.sh   # build the work tree as it is
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out"
mkdir -p "$out/bin"
src="$root"
if [ "${SNAPSHOT:-head}" = head ]; then
  src="$out/src"
  rm -rf "$src" && mkdir -p "$src"
  git -C "$root" archive "${COMMIT:-HEAD}" | tar -x -C "$src"
  rm -rf "$src/bench"
  (cd "$root" && tar -c --exclude=bench/out --exclude=bench/peer/node_modules bench) | tar -x -C "$src"
fi
cd "$src"
for cmd in gen import load profile agserve variant hops relcost pathcalls pathdiff samediff; do
  go build -o "$out/bin/$cmd" "./bench/cmd/$cmd"
done
go build -o "$out/bin/actorgraph" .   # the service's own command (bench/stream.sh loads with its seed)
git -C "$root" rev-parse "${COMMIT:-HEAD}" >"$out/bin/COMMIT"
echo "built bench/out/bin/{gen,import,load,profile,agserve,variant,hops,relcost,pathcalls,pathdiff,samediff,actorgraph} from $( [ "$src" = "$root" ] && echo "the work tree" || echo "commit $(cat "$out/bin/COMMIT")")"
