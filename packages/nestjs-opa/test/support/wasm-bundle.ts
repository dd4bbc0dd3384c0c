import { generateKeyPairSync } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../../../scripts/build-bundle.mjs';
import {
  DEFAULT_POLICIES,
  POLICIES_DIR,
  SAMPLE_POLICIES_DIR,
} from '../../../../scripts/opa-server.mjs';

/** An EC P-256 key pair written to `dir`: the private key's path and the public key's PEM. */
export function signingKeys(dir: string, name: string): { privateKey: string; publicKey: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateKey = join(dir, `${name}.key.pem`);
  writeFileSync(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return {
    privateKey,
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** Builds a signed Wasm bundle with the project's bundle build (`--target wasm`). */
export function buildWasmBundle(options: {
  dir: string;
  name: string;
  signingKey: string;
  policies?: string | string[];
}): string {
  return buildBundle({
    target: 'wasm',
    policies: options.policies ?? DEFAULT_POLICIES,
    signingKey: options.signingKey,
    revision: options.name,
    output: join(options.dir, `${options.name}.tar.gz`),
  }).output;
}

/** The engine and a copy of the sample's rules with `rule` appended to the custom package. */
export function policiesWith(dir: string, name: string, rule: string): string[] {
  const copy = join(dir, name);
  cpSync(SAMPLE_POLICIES_DIR, copy, { recursive: true });
  const custom = join(copy, 'authz', 'custom', 'custom.rego');
  writeFileSync(custom, `${readFileSync(custom, 'utf8')}\n${rule}\n`);
  return [POLICIES_DIR, copy];
}
