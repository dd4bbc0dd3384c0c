#!/usr/bin/env bash
# Provides the pinned OPA and Regal binaries in .tools/bin.
# OPA: $OPA_BIN, an `opa` on PATH of the pinned version, or a `go install` build.
# Regal: $REGAL_BIN, a `regal` on PATH of the pinned version, or a build from the Go module proxy.
set -euo pipefail

OPA_VERSION="1.22.3"
REGAL_VERSION="0.42.0"
TOOL_SCRIPT=install-tools
version_of() { "$1" version 2>/dev/null | sed -n 's/^Version: *v\{0,1\}\([0-9.]*\).*/\1/p' | head -n1; }
# shellcheck source=scripts/go-tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tools.sh"

if ! provide_existing opa "$OPA_VERSION" OPA_BIN; then
  need_go opa "$OPA_VERSION" OPA_BIN
  echo "install-tools: building OPA v$OPA_VERSION with go install (a few minutes, once)" >&2
  rm -f "$BIN/opa"
  GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
fi

if ! provide_existing regal "$REGAL_VERSION" REGAL_BIN; then
  need_go regal "$REGAL_VERSION" REGAL_BIN
  echo "install-tools: building Regal v$REGAL_VERSION (a few minutes, once)" >&2
  build_in_module_cache regal "github.com/open-policy-agent/regal@v$REGAL_VERSION" \
    "-X github.com/open-policy-agent/regal/pkg/version.Version=v$REGAL_VERSION"
fi

echo "install-tools: opa $(version_of "$BIN/opa"), regal $(version_of "$BIN/regal") in $BIN" >&2
