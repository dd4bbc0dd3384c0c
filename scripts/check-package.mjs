// Checks the published shape of nestjs-opa: every subpath of its `exports` map loads both with
// `import` and `require`. `npm run check:package` adds publint, @arethetypeswrong/cli and
// scripts/check-adoption.mjs (fresh Nest 12 ESM and Nest 11 CommonJS apps from the README).
// Usage: node scripts/check-package.mjs   (after `npm run build`)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './opa-server.mjs';

const packageDir = join(ROOT, 'packages', 'nestjs-opa');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const require = createRequire(join(ROOT, 'package.json'));

for (const subpath of Object.keys(manifest.exports).filter((s) => s !== './package.json')) {
  const specifier = subpath === '.' ? 'nestjs-opa' : `nestjs-opa/${subpath.slice(2)}`;
  const esm = await import(specifier);
  const cjs = require(specifier);
  const names = Object.keys(esm).sort().join(',');
  if (names.length === 0 || names !== Object.keys(cjs).sort().join(',')) {
    throw new Error(`${specifier}: ESM and CommonJS builds export different names`);
  }
  console.log(`ok   ${specifier}: ${Object.keys(esm).length} exports, ESM and CommonJS`);
}
