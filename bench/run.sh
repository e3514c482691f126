#!/usr/bin/env bash
# Runs every benchmark (bench/*.bench.ts, or the ones named: ./run bench sandbox contracts) on this
# machine, one after another, each writing bench/results/<name>.json and .md; then prints the summaries
# (the figures the README quotes). Benchmarks use only 127.0.0.1 services and stop by themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.bench.ts; do n=$(basename "$f" .bench.ts); names+=("$n"); done
fi
bash scripts/services.sh up
failed=0
for n in "${names[@]}"; do
  echo "=== bench: $n"
  if ! node --no-node-snapshot --conditions=@intelgraph/source --import tsx "bench/$n.bench.ts"; then
    echo "bench $n FAILED"; failed=1
  fi
done
echo
for n in "${names[@]}"; do
  [ -f "bench/results/$n.md" ] && { cat "bench/results/$n.md"; echo; }
done
exit "$failed"
