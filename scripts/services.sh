#!/usr/bin/env bash
# Makes sure the services the integration tests talk to are up.
# PostgreSQL and Redis are provided by the machine; Neo4j is started from the official test harness and a
# three-master Redis Cluster from Debian's redis-server (scripts/redis-cluster.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-up}" in
  up)
    port_open 5432 || { echo "services: PostgreSQL is not listening on 127.0.0.1:5432" >&2; exit 1; }
    port_open 6379 || { echo "services: Redis is not listening on 127.0.0.1:6379" >&2; exit 1; }
    if [ -x scripts/neo4j-test-server/run.sh ]; then bash scripts/neo4j-test-server/run.sh start; fi
    # A local three-master Redis Cluster (Debian's redis-server) for the cluster conformance tests.
    bash scripts/redis-cluster.sh start
    # The browser tests drive Debian's Chromium (never a browser download of a test tool's own).
    if ! command -v chromium >/dev/null 2>&1; then
      echo "services: installing Debian's chromium for the browser tests"
      if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
      else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
      fi
    fi
    ;;
  down)
    if [ -x scripts/neo4j-test-server/run.sh ]; then bash scripts/neo4j-test-server/run.sh stop; fi
    bash scripts/redis-cluster.sh stop
    ;;
  *) echo "usage: scripts/services.sh up|down" >&2; exit 2 ;;
esac
