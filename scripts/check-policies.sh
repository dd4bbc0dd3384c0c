#!/usr/bin/env bash
# Static checks and the coverage bar of the Rego policies: fmt, check --strict, Regal, coverage >= 95%.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-tools.sh
OPA=.tools/bin/opa
REGAL=.tools/bin/regal

"$OPA" fmt --fail --list policies || { echo "check-policies: run '$OPA fmt -w policies'" >&2; exit 1; }
"$OPA" check --strict policies
"$REGAL" lint policies
# Coverage tracing is slow and the tests run in parallel: a generous per-test timeout, so a
# busy machine does not fail a correct suite.
coverage="$("$OPA" test policies --coverage --timeout 60s | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).coverage))')"
echo "check-policies: Rego coverage ${coverage}%"
node -e "process.exit(Number(process.argv[1]) >= 95 ? 0 : 1)" "$coverage" ||
  { echo "check-policies: Rego coverage ${coverage}% is below 95%" >&2; exit 1; }
