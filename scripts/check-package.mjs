// Checks the published shape of nestjs-opa: every subpath of its `exports` map loads both with
// `import` and `require`, and the CommonJS build serves a real decision under Nest 11 (installed
// from the registry into a temporary folder) while the workspace tests run on Nest 12.
// Usage: node scripts/check-package.mjs   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startOpa } from './opa-server.mjs';

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

const nest11 = mkdtempSync(join(tmpdir(), 'nestjs-opa-nest11-'));
const opa = await startOpa();
try {
  writeFileSync(join(nest11, 'package.json'), '{ "private": true }');
  const dependencies = Object.keys(manifest.dependencies).map(
    (name) => `${name}@${manifest.dependencies[name]}`,
  );
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '@nestjs/common@11',
      '@nestjs/core@11',
      '@nestjs/platform-express@11',
      'reflect-metadata',
      'rxjs',
      ...dependencies,
    ],
    { cwd: nest11, stdio: 'inherit' },
  );
  cpSync(join(packageDir, 'dist'), join(nest11, 'node_modules', 'nestjs-opa', 'dist'), {
    recursive: true,
  });
  cpSync(
    join(packageDir, 'package.json'),
    join(nest11, 'node_modules', 'nestjs-opa', 'package.json'),
  );
  cpSync(join(ROOT, 'scripts', 'nest11-smoke.cjs'), join(nest11, 'smoke.cjs'));
  const output = execFileSync('node', ['smoke.cjs', opa.url], { cwd: nest11, encoding: 'utf8' });
  process.stdout.write(output);
} finally {
  await opa.stop();
  rmSync(nest11, { recursive: true, force: true });
}
