import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/** What verifies a bundle: the release key's public half, and the key id it must name, if any. */
export interface BundleVerificationKey {
  /** PEM public key (EC P-256/P-384/P-521 or RSA). */
  publicKey: string;
  /** When set, the signature must name this key id (OPA's `signing.keyid`). */
  keyId?: string;
}

const SIGNATURES_FILE = '.signatures.json';
const JWS: Record<string, { hash: string; key: 'ec' | 'rsa'; curve?: string; pss?: boolean }> = {
  ES256: { hash: 'sha256', key: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', key: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', key: 'ec', curve: 'secp521r1' },
  RS256: { hash: 'sha256', key: 'rsa' },
  RS384: { hash: 'sha384', key: 'rsa' },
  RS512: { hash: 'sha512', key: 'rsa' },
  PS256: { hash: 'sha256', key: 'rsa', pss: true },
  PS384: { hash: 'sha384', key: 'rsa', pss: true },
  PS512: { hash: 'sha512', key: 'rsa', pss: true },
};
const FILE_HASHES: Record<string, string> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * Checks a bundle as OPA does before activating it: `.signatures.json` holds one JWS, signed by
 * the configured key, listing every other file of the bundle with its hash. A missing or extra
 * file, a wrong hash, an unknown algorithm or a bad signature throws; nothing is used unverified.
 * Returns the signed payload's key id and the bundle's files without the signatures file.
 */
export function verifyBundle(
  files: ReadonlyMap<string, Buffer>,
  key: BundleVerificationKey,
): Map<string, Buffer> {
  const signatures = parseJson(files.get(SIGNATURES_FILE), 'the bundle is not signed');
  const list = (signatures as { signatures?: unknown }).signatures;
  if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') {
    throw new Error(`${SIGNATURES_FILE} must hold exactly one signature`);
  }
  const payload = verifyJws(list[0], key);
  const listed = new Map<string, { hash: string; algorithm: string }>();
  for (const entry of Array.isArray(payload.files) ? payload.files : []) {
    const { name, hash, algorithm } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof hash !== 'string') {
      throw new Error('the signature lists a file without a name or hash');
    }
    listed.set(name.replace(/^\/+/, ''), {
      hash: hash.toLowerCase(),
      algorithm: typeof algorithm === 'string' ? algorithm : 'SHA-256',
    });
  }
  const verified = new Map<string, Buffer>();
  for (const [path, bytes] of files) {
    if (path === SIGNATURES_FILE) continue;
    const expected = listed.get(path);
    if (!expected) throw new Error(`"${path}" is in the bundle but not in its signature`);
    const algorithm = FILE_HASHES[expected.algorithm];
    if (!algorithm) throw new Error(`"${path}": unsupported hash algorithm ${expected.algorithm}`);
    if (fileHash(path, bytes, algorithm) !== expected.hash) {
      throw new Error(`"${path}" does not match its signed hash`);
    }
    verified.set(path, bytes);
    listed.delete(path);
  }
  if (listed.size > 0) {
    throw new Error(`the signature lists files missing from the bundle: ${[...listed.keys()]}`);
  }
  return verified;
}

function verifyJws(token: string, key: BundleVerificationKey): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('the signature is not a compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeSegment(encodedHeader, 'header');
  const jws = typeof header.alg === 'string' ? JWS[header.alg] : undefined;
  // Never `none` or HS*: only the asymmetric algorithms OPA signs with.
  if (!jws) throw new Error(`unsupported signature algorithm ${String(header.alg)}`);
  const publicKey = readPublicKey(key.publicKey);
  if (publicKey.asymmetricKeyType !== jws.key) {
    throw new Error(`the configured key cannot verify ${String(header.alg)}`);
  }
  if (jws.curve && publicKey.asymmetricKeyDetails?.namedCurve !== jws.curve) {
    throw new Error(`the configured key's curve does not match ${String(header.alg)}`);
  }
  const valid = verify(
    jws.hash,
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    jws.key === 'ec'
      ? { key: publicKey, dsaEncoding: 'ieee-p1363' }
      : jws.pss
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : publicKey,
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!valid) throw new Error('the signature does not verify with the configured key');
  const payload = decodeSegment(encodedPayload, 'payload');
  const keyId = payload.keyid ?? header.kid;
  if (key.keyId !== undefined && keyId !== key.keyId) {
    throw new Error(`the signature names key "${String(keyId)}", expected "${key.keyId}"`);
  }
  return payload;
}

function readPublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new Error('the configured public key is not a PEM public key', { cause: error });
  }
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  const value = parseJson(Buffer.from(segment, 'base64url'), `the signature's ${what} is missing`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the signature's ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function parseJson(bytes: Buffer | undefined, missing: string): unknown {
  if (!bytes) throw new Error(missing);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new Error(`${missing}: invalid JSON`, { cause: error });
  }
}

/**
 * OPA hashes JSON files (`*.json`, `.manifest`) over a canonical encoding (sorted keys, no
 * spaces) and every other file over its bytes. Checked against `opa build` 1.22 for nested keys,
 * `<&>`, U+2028 and non-ASCII text. Numbers are re-encoded by JavaScript here, so an exotic
 * literal (`2e3`, `1.0`) fails the check: a refusal, never a pass.
 */
function fileHash(path: string, bytes: Buffer, algorithm: string): string {
  const hash = createHash(algorithm);
  if (path.endsWith('.json') || path.split('/').pop() === '.manifest') {
    hash.update(canonicalJson(parseJson(bytes, `"${path}" is empty`)));
  } else {
    hash.update(bytes);
  }
  return hash.digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${goString(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return typeof value === 'string' ? goString(value) : JSON.stringify(value);
}

/** OPA's encoder escapes the JavaScript line separators (not <, >, &); JSON.stringify does not. */
function goString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
