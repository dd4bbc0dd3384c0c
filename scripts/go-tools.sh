#!/usr/bin/env bash
# Sourced by install-tools.sh and install-k8s-tools.sh: the one way a pinned Go tool lands in the
# git-ignored .tools/bin. The caller sets TOOL_SCRIPT (its name, for messages) and defines
# `version_of BINARY` (the version the binary reports, without a leading v) before using these.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

die() { echo "${TOOL_SCRIPT}: $*" >&2; exit 1; }

# Links $2 into .tools/bin as $1 when it is the pinned version $3.
use_existing() {
  local name="$1" candidate="$2" want="$3"
  [[ -n "$candidate" && -x "$candidate" ]] || return 1
  [[ "$(version_of "$candidate")" == "$want" ]] || return 1
  [[ "$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")" == "$BIN/$name" ]] ||
    ln -sf "$candidate" "$BIN/$name"
}

# Uses $ENV_VAR ($3), .tools/bin or PATH when one of them holds tool $1 at version $2.
provide_existing() {
  local name="$1" version="$2" env_var="$3"
  use_existing "$name" "${!env_var:-}" "$version" ||
    use_existing "$name" "$BIN/$name" "$version" ||
    use_existing "$name" "$(command -v "$name" 2>/dev/null || true)" "$version"
}

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is needed to build $1 v$2 (or set ${3}=/path/to/$1 of that version). Install Go from https://go.dev/dl/."
}

# Builds tool $1 from module $2 (module@version) inside the module cache, with -ldflags $3.
# `go install module@version` also asks the proxy for the module's version list, which the proxy
# refuses for some modules here, so the pinned module is downloaded and built where it lies.
build_in_module_cache() {
  local name="$1" module="$2" ldflags="$3" dir
  dir="$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [[ -n "$dir" ]] || die "could not download $module from the Go module proxy"
  rm -f "$BIN/$name"
  (cd "$dir" && GOFLAGS=-buildvcs=false go build -ldflags "$ldflags" -o "$BIN/$name" .)
}
