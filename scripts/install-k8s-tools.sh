#!/usr/bin/env bash
# Provides the pinned kustomize in .tools/bin (git-ignored): $KUSTOMIZE_BIN, a kustomize on PATH
# of the pinned version, or a build from the Go module proxy (about half a minute, once).
set -euo pipefail

KUSTOMIZE_VERSION="5.8.1"
TOOL_SCRIPT=install-k8s-tools
# `kustomize version` prints e.g. "v5.8.1" (release builds, and ours: the version is stamped in
# with -ldflags below, else a build from the module cache says "(devel)").
version_of() { "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1; }
# shellcheck source=scripts/go-tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-tools.sh"

provide_existing kustomize "$KUSTOMIZE_VERSION" KUSTOMIZE_BIN && exit 0

need_go kustomize "$KUSTOMIZE_VERSION" KUSTOMIZE_BIN
echo "install-k8s-tools: building kustomize v$KUSTOMIZE_VERSION (about half a minute, once)" >&2
build_in_module_cache kustomize "sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION" \
  "-X sigs.k8s.io/kustomize/api/provenance.version=v$KUSTOMIZE_VERSION"
[[ "$(version_of "$BIN/kustomize")" == "$KUSTOMIZE_VERSION" ]] ||
  die "built $BIN/kustomize but it does not report v$KUSTOMIZE_VERSION"
echo "install-k8s-tools: kustomize v$KUSTOMIZE_VERSION in $BIN" >&2
