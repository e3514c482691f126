#!/usr/bin/env bash
# The packed-tarball path, as a new user meets it: packs every package, installs the tarballs with npm
# into a fresh project OUTSIDE the workspace (a temp dir), typechecks a strict consumer
# (tests/consumer/) under moduleResolution node16 and bundler with skipLibCheck: false, loads every
# entry point through import and require, then scaffolds, tests, builds and signs a plugin with the
# author kit's CLI and runs it through the Express router after uploading its .tgz.
# Needs built packages (pnpm build) and the npm registry. Nothing is cached outside the temp dir
# except npm's own cache. KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh >/dev/null
root=$(pwd)
start=$(date +%s)
step() { printf -- '--- %s (t+%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/intelgraph-consumer-XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$tmp"' EXIT; else echo "keeping $tmp"; fi
tarballs="$tmp/tarballs"
app="$tmp/app"
mkdir -p "$tarballs" "$app"

step "pack every package"
for dir in packages/*/; do
  if node -e "process.exit(require('./${dir}package.json').private ? 0 : 1)"; then continue; fi
  [ -d "${dir}dist" ] || { echo "${dir} has no dist/: run pnpm build first"; exit 1; }
  (cd "$dir" && pnpm pack --pack-destination "$tarballs" >/dev/null)
done
ls "$tarballs"
for t in "$tarballs"/*.tgz; do
  files=$(tar -tzf "$t")
  for f in package/package.json package/LICENSE package/README.md; do
    grep -qx "$f" <<<"$files" || { echo "$(basename "$t") lacks $f"; exit 1; }
  done
  if tar -xOzf "$t" package/package.json | grep -q '"workspace:'; then
    echo "$(basename "$t") leaks a workspace: range"; exit 1
  fi
done

step "npm install the tarballs into $app"
cp -r tests/consumer/. "$app/"
cat >"$app/package.json" <<'JSON'
{ "name": "intelgraph-consumer", "version": "0.0.0", "private": true, "type": "module" }
JSON
cd "$app"
# The drivers and frameworks the used subpaths need, fast-check for @intelgraph/sandbox/testing, jose for the auth hook. Not pg: the
# typecheck below must pass without pg's types. ioredis's own declarations import `redis-errors`,
# which ships none: under skipLibCheck false a Redis user needs @types/redis-errors (embedding guide).
npm install --no-audit --no-fund --loglevel=error "$tarballs"/*.tgz \
  express@^5 graphql@^16 @apollo/server@^5 @as-integrations/express5@^1 @graphql-tools/schema@^10 \
  ioredis@^6 neo4j-driver@^6 fast-check@^4 jose@^6 typescript@~5.9 @types/node@^24 @types/express@^5 @types/redis-errors@^1
[ ! -e node_modules/pg ] || { echo "pg was installed, so the pg-free typecheck proves nothing"; exit 1; }

step "typecheck: node16 (ESM and CJS), skipLibCheck false"
npx tsc -p tsconfig.node16.json
step "typecheck: bundler, skipLibCheck false"
npx tsc -p tsconfig.bundler.json

step "a PostgreSQL host: pg installed, its Pool typechecks against the adapter"
npm install --no-audit --no-fund --loglevel=error pg@^8 @types/pg@^8
npx tsc -p tsconfig.postgres.json

step "load every entry point through import and require"
node --no-node-snapshot load-entrypoints.mjs

step "author kit: init, keygen, test, build (signed)"
npx intelgraph-plugin init consumer-plugin
npx intelgraph-plugin keygen --out keys
npx intelgraph-plugin test consumer-plugin
npx intelgraph-plugin build consumer-plugin --key keys/publisher.key.pem
npx intelgraph-plugin verify consumer-plugin/dist/consumer-plugin-0.1.0.tgz --key keys/publisher.pub.pem
if npx intelgraph-plugin build consumer-plugin >/dev/null 2>&1; then
  echo "an unsigned build replaced the signed one"; exit 1
fi

step "Express host: upload the .tgz, install and run over HTTP"
node --no-node-snapshot run-plugin.mjs consumer-plugin/dist/consumer-plugin-0.1.0.tgz keys/publisher.pub.pem

step "consumer test passed"
