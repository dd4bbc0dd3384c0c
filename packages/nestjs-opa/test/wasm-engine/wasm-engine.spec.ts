import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGuardContract, type Platform } from '../support/guard-scenario.js';
import { buildWasmBundle, signingKeys } from '../support/wasm-bundle.js';
import { createAppModule } from './app.module.js';

/** The guard's whole contract, answered by the embedded Wasm engine, over Express and Fastify. */
const dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-wasm-guard-'));
let bundle: { file: string; publicKey: string } | undefined;
const wasmBundle = () => {
  if (!bundle) {
    const keys = signingKeys(dir, 'release');
    const file = buildWasmBundle({ dir, name: 'guard', signingKey: keys.privateKey });
    bundle = { file, publicKey: keys.publicKey };
  }
  return bundle;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const platform of ['express', 'fastify'] as Platform[]) {
  describeGuardContract(
    `${platform}, forRootAsync, engine: 'wasm'`,
    () => createAppModule(process.env.OPA_URL!, wasmBundle()),
    platform,
  );
}
