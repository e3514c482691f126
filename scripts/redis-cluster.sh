#!/usr/bin/env bash
# A local three-master Redis Cluster for the cluster conformance tests and the scale-out benchmark:
# Debian's redis-server on 127.0.0.1 only, no persistence, throwaway state under .cache/redis-cluster.
#
#   scripts/redis-cluster.sh start|stop|status
#
# Environment: IG_REDIS_CLUSTER_PORTS (default "7101 7102 7103").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ports=(${IG_REDIS_CLUSTER_PORTS:-7101 7102 7103})
dir="$PWD/.cache/redis-cluster"

say() { echo "redis-cluster: $*"; }
die() { echo "redis-cluster: $*" >&2; exit 1; }
cluster_ok() { [ "$(redis-cli -h 127.0.0.1 -p "${ports[0]}" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p')" = ok ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  command -v redis-server >/dev/null || die "redis-server is required (apt-get install -y redis-server)"
  mkdir -p "$dir"
  exec 9>"$dir/lock"
  flock 9
  if cluster_ok; then say "already running on 127.0.0.1:${ports[*]}"; return 0; fi
  for p in "${ports[@]}"; do
    if port_open "$p"; then continue; fi
    rm -rf "${dir:?}/$p" && mkdir -p "$dir/$p"
    redis-server --port "$p" --bind 127.0.0.1 --protected-mode yes --cluster-enabled yes \
      --cluster-config-file "$dir/$p/nodes.conf" --cluster-node-timeout 5000 --dir "$dir/$p" \
      --save '' --appendonly no --daemonize yes --pidfile "$dir/$p/pid" --logfile "$dir/$p/log" 9>&-
  done
  for _ in $(seq 1 50); do
    all=1; for p in "${ports[@]}"; do port_open "$p" || all=0; done
    [ "$all" = 1 ] && break; sleep 0.1
  done
  nodes=(); for p in "${ports[@]}"; do nodes+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 ||
    { cat "$dir/create.log" >&2; die "cluster create failed"; }
  for _ in $(seq 1 100); do cluster_ok && { say "ready on 127.0.0.1:${ports[*]}"; return 0; }; sleep 0.1; done
  die "cluster did not reach state ok (see $dir/*/log)"
}

stop() {
  for p in "${ports[@]}"; do
    if [ -f "$dir/$p/pid" ]; then kill "$(cat "$dir/$p/pid")" 2>/dev/null || true; rm -f "$dir/$p/pid"; fi
  done
  say "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if cluster_ok; then say "ok on 127.0.0.1:${ports[*]}"; else say "not running"; exit 1; fi ;;
  *) echo "usage: scripts/redis-cluster.sh start|stop|status" >&2; exit 2 ;;
esac
