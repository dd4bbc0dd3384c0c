#!/usr/bin/env bash
# Runs every test: the Rego suites, then jest (unit, integration against a real OPA, end-to-end).
# Ends with one "N passed, N failed" line counting both.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-tools.sh || exit 1
[[ -d packages/nestjs-opa/dist ]] || npm run -s build || exit 1

report="$(mktemp -d)"
trap 'rm -rf "$report"' EXIT

# The engine alone (what the library ships: it must hold with no app rules), then with the
# sample's own rules beside it, as the sample runs it.
.tools/bin/opa test policies --format json > "$report/rego-engine.json"
engine_status=$?
.tools/bin/opa test policies apps/tasks-api/policies --format json > "$report/rego-sample.json"
sample_status=$?
node -e '
  const fs = require("fs");
  const runs = process.argv.slice(1, 3).map((f) => JSON.parse(fs.readFileSync(f, "utf8") || "[]"));
  fs.writeFileSync(process.argv[3], JSON.stringify(runs.flat()));
' "$report/rego-engine.json" "$report/rego-sample.json" "$report/rego.json"
rego_status=$(( engine_status || sample_status ))
node -e '
  const results = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const r of results) if (r.fail || r.error) console.error(`rego FAIL ${r.package}.${r.name}`);
' "$report/rego.json"

node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile="$report/jest.json" "$@"
jest_status=$?

node -e '
  const fs = require("fs");
  const rego = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const jest = fs.existsSync(process.argv[2]) ? JSON.parse(fs.readFileSync(process.argv[2], "utf8")) : null;
  const regoFailed = rego.filter((r) => r.fail || r.error).length;
  const passed = rego.length - regoFailed + (jest ? jest.numPassedTests : 0);
  const failed = regoFailed + (jest ? jest.numFailedTests + jest.numRuntimeErrorTestSuites : 1);
  console.log(`Rego: ${rego.length - regoFailed} passed, ${regoFailed} failed`);
  if (jest) console.log(`jest: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed, ${jest.numPendingTests} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
' "$report/rego.json" "$report/jest.json"

[[ $rego_status -eq 0 && $jest_status -eq 0 ]]
