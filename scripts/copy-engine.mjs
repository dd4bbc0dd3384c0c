// Copies the generic Rego engine (policies/, without its *_test.rego files) into the library's
// package, so it ships on npm: `opa run ... node_modules/nestjs-opa/policies ./policies`.
// The sample's own rules live in apps/tasks-api/policies/ and never enter the package.
// Usage: node scripts/copy-engine.mjs <destination folder>   (run by the library's build)
import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { POLICIES_DIR } from './opa-server.mjs';

const destination = process.argv[2];
if (!destination) {
  console.error('usage: copy-engine.mjs <destination folder>');
  process.exit(1);
}
const target = resolve(destination);
rmSync(target, { recursive: true, force: true });
cpSync(POLICIES_DIR, target, {
  recursive: true,
  // Only Rego sources: no tests, and no README that points into this repository.
  filter: (source) => !/_test\.rego$|\.md$/.test(source),
});
