// Builds the signed, optimized policy bundle that OPA sidecars pull (`npm run policies:build`).
//
//   node scripts/build-bundle.mjs [--policies DIR]... [--output FILE] [--revision REV] [--target wasm]
//
// `--target wasm` builds the bundle of the in-process engine (`engine: 'wasm'`): policy.wasm with
// the decision and bulk entrypoints, signed the same way. A rule the Wasm engine cannot run (a
// host built-in such as http.send) fails the build and names it.
//
// Default policies: the engine (policies/) and the sample's rules (apps/tasks-api/policies/). An
// app outside this repository does the same with `opa build` (see packages/nestjs-opa/README.md):
// the engine from node_modules/nestjs-opa/policies plus its own rules, in one bundle.
//
// Signing key: $BUNDLE_SIGNING_KEY (path to a PEM private key, EC P-256/P-384 or RSA), else a
// development ES256 key pair generated on first use into .dev-keys/bundle/ (git-ignored; never
// use it beyond a laptop or a dev cluster). OPA verifies with the public half: for the dev key
// that is .dev-keys/bundle/public.pem.
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_HOST_BUILTINS } from '../packages/nestjs-opa/src/wasm/host-builtins.js';
import { DEFAULT_POLICIES, ROOT, opaBinary } from './opa-server.mjs';

export const DEFAULT_BUNDLE = join(ROOT, 'dist', 'bundles', 'authz.tar.gz');
export const DEV_BUNDLE_KEYS_DIR = join(ROOT, '.dev-keys', 'bundle');
/** What the app queries (the library's decision, bulk and filter rules): kept by the optimizer. */
export const ENTRYPOINTS = ['authz/decision', 'authz/decisions', 'authz/include'];
export const DEFAULT_WASM_BUNDLE = join(ROOT, 'dist', 'bundles', 'authz-wasm.tar.gz');
/** What the in-process engine evaluates (point and bulk); filters stay with an OPA server. */
export const WASM_ENTRYPOINTS = ['authz/decision', 'authz/decisions'];

/**
 * The development key pair (ES256), generated on first use.
 * @returns {{ privateKeyPath: string, publicKeyPath: string }}
 */
export function devBundleKeys(dir = DEV_BUNDLE_KEYS_DIR) {
  const privateKeyPath = join(dir, 'private.pem');
  const publicKeyPath = join(dir, 'public.pem');
  if (!existsSync(privateKeyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKeyPath, publicKeyPath };
}

/** The JWS algorithm for a PEM private key: ES256/ES384/ES512 by curve, RS256 for RSA. */
export function signingAlgorithm(privateKeyPath) {
  const key = createPrivateKey(readFileSync(privateKeyPath));
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const alg = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[curve ?? ''];
    if (alg) return alg;
  }
  throw new Error(
    `${privateKeyPath}: unsupported signing key (use an EC P-256/P-384/P-521 or RSA private key)`,
  );
}

/**
 * One bundle root made of several policy directories (the engine and an app's rules share the
 * `authz/` tree). `opa build --bundle a b` refuses to merge them: both have the root ''.
 */
function stage(dirs) {
  const root = mkdtempSync(join(tmpdir(), 'nestjs-opa-bundle-'));
  // File by file: two folders may share a directory, never a file (Node 24's cpSync with
  // errorOnExist also refuses a directory that already exists).
  const copy = (from, to) => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(target, { recursive: true });
        copy(source, target);
      } else if (!entry.name.endsWith('_test.rego')) {
        if (existsSync(target))
          throw new Error(`${source}: ${target} comes from another folder too`);
        copyFileSync(source, target);
      }
    }
  };
  for (const dir of dirs) copy(dir, root);
  return root;
}

/** A content hash of the policy files, so OPA's status names exactly which policies are active. */
function policiesDigest(dir) {
  const hash = createHash('sha256');
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(rego|json|ya?ml)$/.test(entry.name) && !entry.name.endsWith('_test.rego')) {
        hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 12);
}

/**
 * Builds and signs a bundle with the pinned OPA.
 * @param {{ policies?: string | string[], output?: string, signingKey?: string, revision?: string, target?: 'rego' | 'wasm' }} [options]
 * @returns {{ output: string, revision: string, algorithm: string, signingKey: string }}
 */
export function buildBundle(options = {}) {
  const wasm = options.target === 'wasm';
  if (options.target !== undefined && options.target !== 'rego' && !wasm) {
    throw new Error(`Unknown target "${options.target}" (rego or wasm)`);
  }
  const dirs = [options.policies ?? DEFAULT_POLICIES].flat().map((dir) => resolve(dir));
  const output = resolve(options.output ?? (wasm ? DEFAULT_WASM_BUNDLE : DEFAULT_BUNDLE));
  const signingKey = resolve(
    options.signingKey ?? (process.env.BUNDLE_SIGNING_KEY || devBundleKeys().privateKeyPath),
  );
  if (!existsSync(signingKey)) throw new Error(`Bundle signing key not found: ${signingKey}`);
  const algorithm = signingAlgorithm(signingKey);
  mkdirSync(dirname(output), { recursive: true });
  const policies = dirs.length === 1 ? dirs[0] : stage(dirs);
  try {
    const revision = options.revision ?? `sha256-${policiesDigest(policies)}`;
    runOpaBuild(policies, output, signingKey, algorithm, revision, wasm);
    if (wasm) checkWasmBuiltins(output);
    return { output, revision, algorithm, signingKey };
  } finally {
    if (policies !== dirs[0]) rmSync(policies, { recursive: true, force: true });
  }
}

function runOpaBuild(policies, output, signingKey, algorithm, revision, wasm) {
  runOpa(
    [
      'build',
      ...(wasm ? ['--target', 'wasm'] : []),
      // Bundle mode: `opa build` signs only in this mode. The directory is the bundle root.
      '--bundle',
      policies,
      '--ignore',
      '*_test.rego',
      // -O=1 inlines and prunes for the entrypoints. Checked: partial evaluation of
      // authz/include (POST /v1/compile, unknowns ["input.resource"]) on an OPA loaded with the
      // optimized bundle yields the same residual queries as the plain sources (see
      // packages/nestjs-opa/test/bundles), so list filtering keeps working.
      '-O=1',
      ...(wasm ? WASM_ENTRYPOINTS : ENTRYPOINTS).flatMap((e) => ['--entrypoint', e]),
      '--revision',
      revision,
      '--signing-key',
      signingKey,
      '--signing-alg',
      algorithm,
      '--output',
      output,
    ],
    wasm,
  );
}

/** Runs `opa`; a failure throws with OPA's own message (for wasm, saying it was the Wasm build). */
function runOpa(args, wasm) {
  try {
    execFileSync(opaBinary(), args, { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (error) {
    const why = String(error.stderr ?? '').trim() || error.message;
    throw new Error(wasm ? `the Wasm build failed: ${why}` : why);
  }
}

/**
 * OPA builds a rule that calls a host built-in (http.send, ...) without complaint; the engine
 * would fail on it at every decision. Refuse the bundle here, naming the built-ins.
 */
function checkWasmBuiltins(bundle) {
  const wasm = execFileSync('tar', ['-xzOf', bundle, '/policy.wasm'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const module = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(module);
  const memory = new WebAssembly.Memory({ initial: 5 });
  const env = Object.fromEntries(
    imports
      .filter((i) => i.module === 'env')
      .map((i) => [i.name, i.kind === 'memory' ? memory : () => 0]),
  );
  const { exports } = new WebAssembly.Instance(module, { env });
  const address = exports.opa_json_dump(exports.builtins());
  const bytes = new Uint8Array(memory.buffer);
  const names = Object.keys(
    JSON.parse(new TextDecoder().decode(bytes.subarray(address, bytes.indexOf(0, address)))),
  );
  const missing = names.filter((name) => !WASM_HOST_BUILTINS.has(name));
  if (missing.length > 0) {
    rmSync(bundle, { force: true });
    throw new Error(
      `the policies call built-in function(s) the Wasm engine cannot run: ${missing.join(', ')}. ` +
        'Move such rules out of the decision path, or use the OPA server engine.',
    );
  }
}

function parseArgs(argv) {
  const options = {};
  const names = {
    '--policies': 'policies',
    '--output': 'output',
    '--revision': 'revision',
    '--target': 'target',
  };
  for (let i = 0; i < argv.length; i++) {
    const name = names[argv[i]];
    if (!name || argv[i + 1] === undefined) {
      throw new Error(
        `Unknown or incomplete argument "${argv[i]}". Usage: build-bundle.mjs [--policies DIR]... [--output FILE] [--revision REV] [--target wasm]`,
      );
    }
    // --policies repeats: the engine, then the app's rules.
    options[name] = name === 'policies' ? [...(options.policies ?? []), argv[++i]] : argv[++i];
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const usingDevKey = !process.env.BUNDLE_SIGNING_KEY;
    const { output, revision, algorithm, signingKey } = buildBundle(
      parseArgs(process.argv.slice(2)),
    );
    console.log(`policies:build: ${relative(process.cwd(), output)} (revision ${revision})`);
    console.log(`policies:build: signed ${algorithm} with ${relative(process.cwd(), signingKey)}`);
    if (usingDevKey) {
      console.log(
        `policies:build: OPA verifies with ${relative(process.cwd(), devBundleKeys().publicKeyPath)} (development key; set BUNDLE_SIGNING_KEY for a real one)`,
      );
    }
  } catch (error) {
    console.error(`policies:build: ${error.message}`);
    process.exit(1);
  }
}
