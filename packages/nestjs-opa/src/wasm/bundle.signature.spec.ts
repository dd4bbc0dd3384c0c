import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeBundle } from '../../test/support/bundle-writer.js';
import { readBundleArchive } from './bundle.archive.js';
import { verifyBundle } from './bundle.signature.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
};
const release = pair();
const files = {
  'policy.wasm': Buffer.from('\0asm module bytes'),
  '.manifest': '{"revision":"r1"}',
};
const read = (archive: Buffer) => readBundleArchive(archive, 1 << 20);

/** A signatures file over `files` with a JWS built by hand (header and payload as given). */
function signed(header: object, payload: object, key = release.privateKey) {
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return JSON.stringify({ signatures: [`${input}.${signature.toString('base64url')}`] });
}
const hashes = (entries: Record<string, string | Buffer>) => ({
  files: Object.entries(entries).map(([name, body]) => ({
    name,
    hash: createHash('sha256').update(body).digest('hex'),
    algorithm: 'SHA-256',
  })),
});

describe('verifyBundle', () => {
  it('accepts a bundle whose every file is signed by the key, and drops the signatures file', () => {
    const verified = verifyBundle(
      read(writeBundle(files, { privateKey: release.privateKey })),
      release,
    );
    expect([...verified.keys()].sort()).toEqual(['.manifest', 'policy.wasm']);
  });

  it('refuses another key, a wrong key id, alg none and HMAC', () => {
    const archive = read(writeBundle(files, { privateKey: pair().privateKey }));
    expect(() => verifyBundle(archive, release)).toThrow('does not verify');
    const good = read(writeBundle(files, { privateKey: release.privateKey }));
    expect(() => verifyBundle(good, { ...release, keyId: 'prod' })).toThrow('expected "prod"');
    for (const alg of ['none', 'HS256']) {
      const forged = new Map(good);
      forged.set('.signatures.json', Buffer.from(signed({ alg }, hashes(files))));
      expect(() => verifyBundle(forged, release)).toThrow(`unsupported signature algorithm ${alg}`);
    }
  });

  it('refuses a changed, an extra and a missing file', () => {
    const good = read(writeBundle(files, { privateKey: release.privateKey }));
    const changed = new Map(good).set('policy.wasm', Buffer.from('\0asm other'));
    expect(() => verifyBundle(changed, release)).toThrow('"policy.wasm" does not match');
    const extra = new Map(good).set('data.json', Buffer.from('{}'));
    expect(() => verifyBundle(extra, release)).toThrow('"data.json" is in the bundle but not');
    const missing = new Map(good);
    missing.delete('.manifest');
    expect(() => verifyBundle(missing, release)).toThrow('missing from the bundle: .manifest');
  });

  it('hashes JSON files over their canonical form, as OPA does', () => {
    const pretty = '{ "b": 1,\n  "a": "<&>" }';
    const canonical = '{"a":"<&>","b":1}';
    const bundle = new Map([
      ['data.json', Buffer.from(pretty)],
      [
        '.signatures.json',
        Buffer.from(signed({ alg: 'ES256' }, hashes({ 'data.json': canonical }))),
      ],
    ]);
    expect(verifyBundle(bundle, release).get('data.json')?.toString()).toBe(pretty);
  });
});

describe('readBundleArchive', () => {
  it('refuses paths that climb out, and oversized archives', () => {
    const climbing = writeBundle({ '../etc/passwd': 'x' });
    expect(() => read(climbing)).toThrow('bad path');
    expect(() => readBundleArchive(writeBundle(files), 10)).toThrow('larger than 10 bytes');
  });
});
