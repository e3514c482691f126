#!/usr/bin/env bash
# The whole test suite: builds the packages (the build project loads dist/ through import and
# require), makes sure the backing services run, then runs every vitest project and prints the
# closing line "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

mkdir -p .ci/out
if [ -z "${IG_ALREADY_BUILT:-}" ]; then
  pnpm --silent build >.ci/out/build.log 2>&1 || { cat .ci/out/build.log; echo "build failed"; exit 1; }
fi
bash scripts/services.sh up

status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.ci/out/vitest.json "$@" || status=$?
node scripts/test-summary.mjs .ci/out/vitest.json || status=1
exit "$status"
