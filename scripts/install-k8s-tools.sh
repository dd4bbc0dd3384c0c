#!/usr/bin/env bash
# Provides the pinned kustomize in .tools/bin (git-ignored): $KUSTOMIZE_BIN, a kustomize on PATH
# of the pinned version, or a build from the Go module proxy (about half a minute, once).
set -euo pipefail

KUSTOMIZE_VERSION="5.8.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

die() { echo "install-k8s-tools: $*" >&2; exit 1; }

# `kustomize version` prints e.g. "v5.8.1" (release builds, and ours: the version is stamped in
# with -ldflags below, else a build from the module cache says "(devel)").
version_of() { "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1; }

use_existing() {
  local candidate="$1"
  [[ -n "$candidate" && -x "$candidate" ]] || return 1
  [[ "$(version_of "$candidate")" == "$KUSTOMIZE_VERSION" ]] || return 1
  [[ "$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")" == "$BIN/kustomize" ]] ||
    ln -sf "$candidate" "$BIN/kustomize"
}

if use_existing "${KUSTOMIZE_BIN:-}" ||
  use_existing "$BIN/kustomize" ||
  use_existing "$(command -v kustomize 2>/dev/null || true)"; then
  exit 0
fi

command -v go >/dev/null 2>&1 ||
  die "Go is needed to build kustomize v$KUSTOMIZE_VERSION (or set KUSTOMIZE_BIN=/path/to/kustomize of that version). Install Go from https://go.dev/dl/."

# `go install module@version` also asks the proxy for the module's version list, which is refused
# here, so the pinned module is downloaded and built inside the module cache (as for Regal).
echo "install-k8s-tools: building kustomize v$KUSTOMIZE_VERSION (about half a minute, once)" >&2
module="sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION"
dir="$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
[[ -n "$dir" ]] || die "could not download $module from the Go module proxy"
rm -f "$BIN/kustomize"
(cd "$dir" && GOFLAGS=-buildvcs=false go build \
  -ldflags "-X sigs.k8s.io/kustomize/api/provenance.version=v$KUSTOMIZE_VERSION" \
  -o "$BIN/kustomize" .)
[[ "$(version_of "$BIN/kustomize")" == "$KUSTOMIZE_VERSION" ]] ||
  die "built $BIN/kustomize but it does not report v$KUSTOMIZE_VERSION"
echo "install-k8s-tools: kustomize v$KUSTOMIZE_VERSION in $BIN" >&2
