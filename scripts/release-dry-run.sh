#!/usr/bin/env bash
# The release, rehearsed on a scratch copy (nothing in the checkout changes): `changeset version`
# consumes the pending .changeset/*.md entries, bumps versions and writes each package's CHANGELOG.md;
# then `pnpm pack` packs every package as it would be published. Fails when a pending changeset names
# an unknown package, when a changed package gets no CHANGELOG entry, or when a packed manifest
# still holds a `workspace:` range. Needs built packages (pnpm build). KEEP=1 keeps the copy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh >/dev/null
root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/intelgraph-release-XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$tmp"' EXIT; else echo "keeping $tmp"; fi
copy="$tmp/repo"
mkdir -p "$copy"

# The workspace as changesets and pnpm see it: manifests, the changesets, the packages' published files.
tar --exclude=node_modules --exclude='*.tsbuildinfo' -cf - package.json pnpm-workspace.yaml pnpm-lock.yaml \
  .changeset packages $(ls -d examples/*/package.json examples/plugins/*/package.json 2>/dev/null) | tar -xf - -C "$copy"
(cd "$copy" && git init -q && git add -A && git -c user.email=ci@invalid -c user.name=ci commit -qm scratch)

pending=$(ls "$copy/.changeset"/*.md 2>/dev/null | grep -v '/README.md$' || true)
echo "pending changesets: $(echo "$pending" | grep -c . || true)"
mentioned=$(cat $pending /dev/null | awk '/^---$/{f=!f; next} f' | sed -E 's/^"?([^":]+)"?:.*/\1/' | sort -u)

(cd "$copy" && node "$root/node_modules/@changesets/cli/bin.js" version)

status=0
for name in $mentioned; do
  dir=$(grep -l "\"name\": \"$name\"" "$copy"/packages/*/package.json | head -1 | xargs -r dirname)
  if [ -z "$dir" ]; then echo "FAIL a changeset names $name, which is not a package"; status=1; continue; fi
  before=$(node -p "require('$root/packages/$(basename "$dir")/package.json').version")
  after=$(node -p "require('$dir/package.json').version")
  if [ ! -f "$dir/CHANGELOG.md" ] || [ "$before" = "$after" ]; then
    echo "FAIL $name: no CHANGELOG.md or no version bump ($before → $after)"; status=1
  else
    echo "ok   $name $before → $after, CHANGELOG.md $(grep -c '^- ' "$dir/CHANGELOG.md") entries"
  fi
done
left=$(ls "$copy/.changeset"/*.md 2>/dev/null | grep -vc '/README.md$' || true)
[ "$left" = 0 ] || { echo "FAIL $left changeset(s) left unconsumed"; status=1; }

# pnpm resolves `workspace:` ranges through the installed links: install the copy from the store
# CI's install step just filled (offline; no lifecycle scripts), with the bumped versions.
(cd "$copy" && pnpm install --offline --ignore-scripts --no-frozen-lockfile --filter "./packages/**" \
  --reporter=silent >/dev/null)
mkdir -p "$tmp/out"
for dir in "$copy"/packages/*/; do
  (cd "$dir" && pnpm pack --pack-destination "$tmp/out" >/dev/null)
done
for t in "$tmp/out"/*.tgz; do
  if tar -xOzf "$t" package/package.json | grep -q '"workspace:'; then
    echo "FAIL $(basename "$t") leaks a workspace: range"; status=1
  fi
done
echo "packed: $(cd "$tmp/out" && ls | tr '\n' ' ')"
exit "$status"
