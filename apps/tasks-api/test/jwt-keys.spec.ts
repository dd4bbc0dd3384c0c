import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as devKeys from '../../../scripts/dev-keys.mjs';
import { ROOT } from '../../../scripts/opa-server.mjs';
import { jwtVerificationKey } from '../src/auth/jwt-keys.js';
import * as contract from '../src/auth/jwt.constants.js';
import { readAppConfig } from '../src/config/app.config.js';

const SRC = join(ROOT, 'apps', 'tasks-api', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : [path];
  });
}

describe('JWT key material', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tasks-api-keys-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('the app source imports nothing from scripts/ (the image ships without it)', () => {
    const offenders = sourceFiles(SRC).filter((file) =>
      /from\s+['"][./]*scripts\//.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the dev-token script signs to the same contract the app verifies', () => {
    expect({
      JWT_ALGORITHM: devKeys.JWT_ALGORITHM,
      DEFAULT_JWT_ISSUER: devKeys.DEFAULT_JWT_ISSUER,
      DEFAULT_JWT_AUDIENCE: devKeys.DEFAULT_JWT_AUDIENCE,
      SUBJECT_TYPE_CLAIM: devKeys.SUBJECT_TYPE_CLAIM,
      DEV_PUBLIC_KEY_FILE: devKeys.DEV_PUBLIC_KEY_FILE,
    }).toEqual({ ...contract });
  });

  it('reads only the public half of the development pair from JWT_KEYS_DIR', () => {
    const keys = devKeys.loadDevKeys(scratch);
    const pem = jwtVerificationKey(readAppConfig({ JWT_KEYS_DIR: scratch }));
    expect(pem).toBe(keys.publicKeyPem);
    expect(pem).not.toMatch(/PRIVATE/);
  });

  it('prefers JWT_PUBLIC_KEY and then needs no key directory', () => {
    const config = readAppConfig({ JWT_PUBLIC_KEY: 'issuer-pem', JWT_KEYS_DIR: scratch });
    expect(jwtVerificationKey(config)).toBe('issuer-pem');
  });

  it('creates no keys and refuses to start without one, saying what to do', () => {
    const config = readAppConfig({ JWT_KEYS_DIR: join(scratch, 'missing') });
    expect(() => jwtVerificationKey(config)).toThrow(/set JWT_PUBLIC_KEY.*npm run -s token/);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
