#!/usr/bin/env bash
# neo4j.sh start|stop|status: the project's own Neo4j 5.26 Community (embedded, Bolt on 127.0.0.1).
#
#   NEO4J_PORT      Bolt port                      (default 7687)
#   NEO4J_DATA_DIR  data, logs and pid file        (default .neo4j/dev, git-ignored)
#   NEO4J_AUTH      none | user/password           (default none)
#   NEO4J_HEAP      JVM heap                       (default 1g)
#   NEO4J_PAGECACHE page cache                     (default 256m)
#   NEO4J_SETTINGS  other Neo4j settings, "name=value;name=value" (see Launcher.java)
#   NEO4J_JAVA_OPTS JVM options but the heap       (default -XX:+UseG1GC)
#   NEO4J_START_WAIT seconds start waits for Bolt  (default 300: recovery after a crash can take minutes)
#
# start is idempotent (a second start finds the running JVM and returns) and returns only once Bolt answers;
# stop stops the JVM it started, by its pid, and waits until it is gone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$here/pom.xml")
cache="${ACTORGRAPH_CACHE:-$root/.cache}/neo4j-$version"
port="${NEO4J_PORT:-7687}"
data="${NEO4J_DATA_DIR:-$root/.neo4j/dev}"
case "$data" in /*) ;; *) data="$root/$data" ;; esac
pidfile="$data/neo4j.pid"
log="$data/launcher.log"

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
bolt_up() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

fetch() {
  if [ ! -f "$cache/lib/.complete" ]; then
    echo "neo4j: fetching org.neo4j:neo4j and neo4j-bolt $version from Maven Central into $cache" >&2
    mkdir -p "$cache/lib"
    mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$cache/lib" -DincludeScope=runtime >&2
    touch "$cache/lib/.complete"
  fi
  if [ ! -f "$cache/classes/Launcher.class" ] || [ "$here/Launcher.java" -nt "$cache/classes/Launcher.class" ]; then
    mkdir -p "$cache/classes"
    javac -nowarn -d "$cache/classes" -cp "$cache/lib/*" "$here/Launcher.java" >&2
  fi
}

start() {
  if alive; then
    wait_ready
    echo "neo4j: already running (pid $(cat "$pidfile"), bolt://127.0.0.1:$port)"
    return 0
  fi
  if bolt_up; then
    echo "neo4j: port $port is taken by a process this script did not start; set NEO4J_PORT" >&2
    return 1
  fi
  fetch
  mkdir -p "$data"
  rm -f "$data/ready"
  NEO4J_HOME_DIR="$data" NEO4J_PORT="$port" NEO4J_AUTH="${NEO4J_AUTH:-none}" \
    nohup java -Xms256m -Xmx"${NEO4J_HEAP:-1g}" ${NEO4J_JAVA_OPTS:--XX:+UseG1GC} -Dfile.encoding=UTF-8 \
      -cp "$cache/classes:$cache/lib/*" Launcher >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_ready
  echo "neo4j: started (pid $(cat "$pidfile"), bolt://127.0.0.1:$port, data $data)"
}

wait_ready() {
  local wait="${NEO4J_START_WAIT:-300}"
  for _ in $(seq 1 $((wait * 2))); do
    if ! alive; then
      echo "neo4j: the JVM exited during start; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      rm -f "$pidfile"
      return 1
    fi
    if [ -f "$data/ready" ] && bolt_up; then return 0; fi
    sleep 0.5
  done
  echo "neo4j: not ready after $wait s; see $log" >&2
  return 1
}

stop() {
  if ! alive; then
    rm -f "$pidfile"
    echo "neo4j: not running (port $port)"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "neo4j: pid $pid ignored SIGTERM for 60 s; killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$pidfile" "$data/ready"
  echo "neo4j: stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if alive && bolt_up; then echo "running (pid $(cat "$pidfile"), port $port)"; else echo "stopped"; exit 3; fi ;;
  fetch) fetch ;;
  *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac
