#!/usr/bin/env bash
# Provides the pinned OPA and Regal binaries in .tools/bin.
# OPA: $OPA_BIN, an `opa` on PATH of the pinned version, or a `go install` build.
# Regal: $REGAL_BIN, a `regal` on PATH of the pinned version, or a build from the Go module proxy.
set -euo pipefail

OPA_VERSION="1.22.2"
REGAL_VERSION="0.42.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

die() { echo "install-tools: $*" >&2; exit 1; }

version_of() { "$1" version 2>/dev/null | sed -n 's/^Version: *v\{0,1\}\([0-9.]*\).*/\1/p' | head -n1; }

# Links $2 into .tools/bin as $1 when it is the pinned version $3.
use_existing() {
  local name="$1" candidate="$2" want="$3"
  [[ -n "$candidate" && -x "$candidate" ]] || return 1
  [[ "$(version_of "$candidate")" == "$want" ]] || return 1
  [[ "$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")" == "$BIN/$name" ]] || ln -sf "$candidate" "$BIN/$name"
}

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is needed to build $1 v$2 (or set ${3}=/path/to/$1 of that version). Install Go from https://go.dev/dl/."
}

# OPA
if use_existing opa "${OPA_BIN:-}" "$OPA_VERSION" ||
  use_existing opa "$BIN/opa" "$OPA_VERSION" ||
  use_existing opa "$(command -v opa 2>/dev/null || true)" "$OPA_VERSION"; then
  :
else
  need_go opa "$OPA_VERSION" OPA_BIN
  echo "install-tools: building OPA v$OPA_VERSION with go install (a few minutes, once)" >&2
  rm -f "$BIN/opa"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
fi

# Regal. `go install regal@v` also asks the proxy for the module's version list, which is
# refused here, so the pinned module is downloaded and built from the module cache instead.
if use_existing regal "${REGAL_BIN:-}" "$REGAL_VERSION" ||
  use_existing regal "$BIN/regal" "$REGAL_VERSION" ||
  use_existing regal "$(command -v regal 2>/dev/null || true)" "$REGAL_VERSION"; then
  :
else
  need_go regal "$REGAL_VERSION" REGAL_BIN
  echo "install-tools: building Regal v$REGAL_VERSION (a few minutes, once)" >&2
  dir="$(go mod download -json "github.com/open-policy-agent/regal@v$REGAL_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [[ -n "$dir" ]] || die "could not download Regal v$REGAL_VERSION from the Go module proxy"
  rm -f "$BIN/regal"
  (cd "$dir" && GOFLAGS=-buildvcs=false go build -ldflags "-X github.com/open-policy-agent/regal/pkg/version.Version=v$REGAL_VERSION" -o "$BIN/regal" .)
fi

echo "install-tools: opa $(version_of "$BIN/opa"), regal $(version_of "$BIN/regal") in $BIN" >&2
