#!/usr/bin/env bash
# Neo4j test server for integration tests and benchmarks: the official Neo4j test harness with Bolt on
# 127.0.0.1 and authentication disabled (throwaway data in a temp dir; never expose it).
#
#   scripts/neo4j-test-server/run.sh start|stop|status|restart
#
# Environment:
#   NEO4J_TEST_BOLT_PORT      Bolt port (default 7687)
#   NEO4J_TEST_HEAP           JVM max heap (default 1g)
#   NEO4J_TEST_START_TIMEOUT  seconds to wait for Bolt after launching (default 120)
#   NEO4J_TEST_JAVA           java binary (default: $JAVA_HOME/bin/java, else java on PATH; needs 17+)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="$here/.run"
pid_file="$run_dir/neo4j.pid"
log_file="$run_dir/neo4j.log"
build_log="$run_dir/build.log"
jar="$here/target/neo4j-test-server.jar"
port="${NEO4J_TEST_BOLT_PORT:-7687}"
heap="${NEO4J_TEST_HEAP:-1g}"
timeout="${NEO4J_TEST_START_TIMEOUT:-120}"
if [ -n "${NEO4J_TEST_JAVA:-}" ]; then java_bin="$NEO4J_TEST_JAVA"
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java_bin="$JAVA_HOME/bin/java"
else java_bin=java; fi

say() { echo "neo4j-test-server: $*"; }
die() { echo "neo4j-test-server: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid belonging to something else.
  grep -q 'neo4j-test-server' "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

needs_build() {
  [ -f "$jar" ] && [ -d "$here/target/lib" ] || return 0
  [ -n "$(find "$here/pom.xml" "$here/src" -newer "$jar" -print -quit)" ]
}

build() {
  command -v mvn >/dev/null || die "Maven (mvn) is required to build the launcher"
  say "building launcher with Maven (first run downloads Neo4j into ~/.m2)"
  local t0=$SECONDS
  if ! (cd "$here" && mvn -q -B package >"$build_log" 2>&1); then
    tail -n 40 "$build_log" >&2
    die "Maven build failed (full log: $build_log)"
  fi
  touch "$jar"
  say "built in $((SECONDS - t0))s"
}

start() {
  mkdir -p "$run_dir"
  # Serialise concurrent `start` calls (several test runs on one machine).
  exec 9>"$run_dir/lock"
  flock 9
  if pid="$(running_pid)"; then say "already running (pid $pid) on bolt://127.0.0.1:$port"; return 0; fi
  if port_open; then say "port $port already serves a Bolt endpoint not started here; using it"; return 0; fi
  if needs_build; then build; fi
  local t0=$SECONDS
  : >"$log_file"
  NEO4J_TEST_HOST=127.0.0.1 NEO4J_TEST_BOLT_PORT="$port" \
    setsid "$java_bin" "-Xmx$heap" -XX:+UseParallelGC -jar "$jar" >>"$log_file" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid" >"$pid_file"
  while (( SECONDS - t0 < timeout )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      tail -n 40 "$log_file" >&2
      die "exited during startup (log: $log_file)"
    fi
    if grep -q 'neo4j-test-server: ready' "$log_file" && port_open; then
      say "ready on bolt://127.0.0.1:$port (pid $pid, started in $((SECONDS - t0))s)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 40 "$log_file" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  die "Bolt not ready on port $port after ${timeout}s (log: $log_file)"
}

stop() {
  local pid
  mkdir -p "$run_dir"
  exec 9>"$run_dir/lock"
  flock 9
  if ! pid="$(running_pid)"; then rm -f "$pid_file"; say "not running"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; say "stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  say "killed after 30s"
}

status() {
  local pid
  if pid="$(running_pid)"; then say "running (pid $pid) on bolt://127.0.0.1:$port"; return 0; fi
  if port_open; then say "port $port is served by a process not started here"; return 0; fi
  say "stopped"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  build) build ;;
  *) echo "usage: $0 start|stop|status|restart|build" >&2; exit 2 ;;
esac
