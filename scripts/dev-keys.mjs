// Development JWT keys and tokens for `npm start`, `npm run token` and the tests. The keys are
// generated on first use into a git-ignored directory and are for local development only: the
// sample app reads just the public half (apps/tasks-api/src/auth/jwt-keys.ts) and never runs this
// file; a real deployment verifies tokens from its identity provider (`JWT_PUBLIC_KEY`).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The token contract, kept equal to apps/tasks-api/src/auth/jwt.constants.ts by the app's tests.
/** The one signature algorithm the app accepts (asymmetric, so the app only holds a public key). */
export const JWT_ALGORITHM = 'ES256';
export const DEFAULT_JWT_ISSUER = 'tasks-api-dev';
export const DEFAULT_JWT_AUDIENCE = 'tasks-api';
/** Claim telling user subjects (`user`) from API-token subjects (`token`). */
export const SUBJECT_TYPE_CLAIM = 'subject_type';
export const SUBJECT_TYPES = ['user', 'token'];

const KEY_FILE = 'jwt-es256.pem';
/** The public half, the only file the app reads. */
export const DEV_PUBLIC_KEY_FILE = 'jwt-es256.pub.pem';

/** `$JWT_KEYS_DIR`, or `.dev-keys/` at the repository root (independent of the cwd and of DATA_DIR). */
export function devKeysDir(env = process.env) {
  return resolve(env.JWT_KEYS_DIR || join(ROOT, '.dev-keys'));
}

/**
 * Reads the development key pair, generating it on first use, and makes sure its public half is
 * in {@link DEV_PUBLIC_KEY_FILE} for the app. The private key is written to a
 * temporary file and hard-linked into place, so two processes starting together (the app and
 * `npm run token`) both end up with the same key instead of each writing its own.
 * @param {string} [dir]
 * @returns {{ dir: string, privateKey: import('node:crypto').KeyObject, publicKey: import('node:crypto').KeyObject, publicKeyPem: string }}
 */
export function loadDevKeys(dir = devKeysDir()) {
  const file = join(dir, KEY_FILE);
  let pem;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const temporary = join(dir, `.${KEY_FILE}.${randomUUID()}.tmp`);
    writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      linkSync(temporary, file);
    } catch (linkError) {
      if (linkError.code !== 'EEXIST') throw linkError;
    } finally {
      unlinkSync(temporary);
    }
    pem = readFileSync(file, 'utf8');
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writePublicKey(join(dir, DEV_PUBLIC_KEY_FILE), publicKeyPem);
  return { dir, privateKey, publicKey, publicKeyPem };
}

/** Writes the public key unless it is already there; a rename, so a reader never sees half a file. */
function writePublicKey(file, pem) {
  try {
    if (readFileSync(file, 'utf8') === pem) return;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, pem, { mode: 0o644 });
  renameSync(temporary, file);
}

/**
 * Signs a development token for a subject.
 * @param {string} subjectId
 * @param {{ type?: string, expiresIn?: string | number, issuer?: string, audience?: string, keysDir?: string }} [options]
 * @returns {Promise<string>}
 */
export async function signDevToken(subjectId, options = {}) {
  const type = options.type ?? 'user';
  if (!SUBJECT_TYPES.includes(type))
    throw new TypeError(`Subject type must be one of ${SUBJECT_TYPES.join(', ')}`);
  if (typeof subjectId !== 'string' || subjectId.length === 0)
    throw new TypeError('A subject id is required');
  const { privateKey } = loadDevKeys(options.keysDir ?? devKeysDir());
  return new SignJWT({ [SUBJECT_TYPE_CLAIM]: type })
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(subjectId)
    .setIssuer(options.issuer ?? (process.env.JWT_ISSUER || DEFAULT_JWT_ISSUER))
    .setAudience(options.audience ?? (process.env.JWT_AUDIENCE || DEFAULT_JWT_AUDIENCE))
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(privateKey);
}
