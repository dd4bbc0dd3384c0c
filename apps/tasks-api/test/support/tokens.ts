import { generateKeyPairSync } from 'node:crypto';
import { expect } from '@jest/globals';
import { SignJWT } from 'jose';
import {
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  loadDevKeys,
  signDevToken,
} from '../../../../scripts/dev-keys.mjs';
import { INVALID_TOKEN_MESSAGE } from '../../src/auth/jwt-auth.guard.js';

export interface TestSubject {
  type: 'user' | 'token';
  id: string;
}

/** The answer to a missing or invalid bearer token: 401, the fixed body and a Bearer challenge. */
export function expectInvalidTokenResponse(res: { status: number; body: unknown; headers: any }) {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    message: INVALID_TOKEN_MESSAGE,
  });
  expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
}

const cache = new Map<string, Promise<string>>();

/** A valid token for `subject`, signed the way `npm run token` signs (cached per subject). */
export function tokenFor(subject: TestSubject): Promise<string> {
  const key = `${subject.type}:${subject.id}`;
  if (!cache.has(key)) cache.set(key, signDevToken(subject.id, { type: subject.type }));
  return cache.get(key)!;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub = 'alice') => ({
  sub,
  subject_type: 'user',
  iss: DEFAULT_JWT_ISSUER,
  aud: DEFAULT_JWT_AUDIENCE,
  iat: now(),
});

/** Every way a bearer token can be wrong; each must be a 401 with no decision asked. */
export async function badTokens(): Promise<Record<string, string>> {
  const { privateKey, publicKeyPem } = loadDevKeys(process.env.JWT_KEYS_DIR);
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const valid = await signDevToken('dave');
  const [header, , signature] = valid.split('.');
  return {
    malformed: 'not-a-jwt',
    'three garbage segments': 'abc.def.ghi',
    expired: await signDevToken('alice', { expiresIn: now() - 60 }),
    'without exp': await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey),
    'tampered payload': `${header}.${encode({ ...claims(), exp: now() + 3600 })}.${signature}`,
    'signed with another key': await new SignJWT({ ...claims(), exp: now() + 3600 })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(otherKey),
    'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims(), exp: now() + 3600 })}.`,
    'HS256 with the public key as secret': await new SignJWT({ ...claims(), exp: now() + 3600 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(publicKeyPem)),
    'wrong issuer': await signDevToken('alice', { issuer: 'https://evil.example' }),
    'wrong audience': await signDevToken('alice', { audience: 'another-api' }),
    'no subject type': await new SignJWT({
      ...claims(),
      subject_type: undefined,
      exp: now() + 3600,
    })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey),
    'unknown subject type': await new SignJWT({
      ...claims(),
      subject_type: 'admin',
      exp: now() + 3600,
    })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey),
  };
}
