import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import {
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  loadDevKeys,
  signDevToken,
} from '../../../scripts/dev-keys.mjs';
import { TestEnv } from './support/environment.js';
import { decisionsAsked } from './support/metrics.js';
import { createTestApp, freshPostgresDatabase, type TestApp } from './support/test-app.js';
import { badTokens, expectInvalidTokenResponse, tokenFor } from './support/tokens.js';

/** A stack frame (`at fn (file.ts:12:3)`) or a source path in a response body: a leak. */
const STACK_TRACE = /\bat .*\.(ts|js|mjs):\d+|node_modules|\/src\/|\/dist\//;
const now = () => Math.floor(Date.now() / 1000);
const alice = { type: 'user', id: 'alice' } as const;
const mallory = { type: 'user', id: 'mallory' } as const;

/**
 * Hostile tokens and hostile input. Authentication failures are 401 (431 for an oversized header)
 * and never reach OPA: asserted on the app's own `opa_decisions_total` (GET /metrics), not on a
 * spy. Odd ids and bodies are a clear 4xx (or 403), never a 500, never a stack trace.
 */
describe('JWT attacks', () => {
  let t: TestApp;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    const { privateKey } = loadDevKeys(process.env.JWT_KEYS_DIR);
    const claims = {
      sub: 'alice',
      subject_type: 'user',
      iss: DEFAULT_JWT_ISSUER,
      aud: DEFAULT_JWT_AUDIENCE,
      iat: now(),
      exp: now() + 3600,
    };
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    tokens = {
      ...(await badTokens()),
      'not yet valid (nbf in the future)': await new SignJWT({ ...claims, nbf: now() + 600 })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .sign(privateKey),
      'alg None (other casing)': [
        Buffer.from(JSON.stringify({ alg: 'None', typ: 'JWT' })).toString('base64url'),
        Buffer.from(JSON.stringify(claims)).toString('base64url'),
        '',
      ].join('.'),
      // The attacker's own key embedded in the header (CVE-2018-0114 style): must be ignored.
      'signed with a key embedded in its jwk header': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', jwk: await exportJWK(attacker.publicKey) })
        .sign(attacker.privateKey),
      'expired a second ago': await signDevToken('alice', { expiresIn: now() - 1 }),
      'an empty bearer': '',
      'a 12 KB garbage token': 'a'.repeat(12 * 1024),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const expect401 = (res: { status: number; body: any; headers: any; text: string }) => {
    expectInvalidTokenResponse(res);
    expect(res.text).not.toMatch(STACK_TRACE);
  };

  it('a valid token is counted in opa_decisions_total (the metric this suite relies on)', async () => {
    const before = await decisionsAsked(t);
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect(await decisionsAsked(t)).toBe(before + 1);
  });

  it.each([
    'alg none',
    'alg None (other casing)',
    'HS256 with the public key as secret',
    'signed with another key',
    'signed with a key embedded in its jwk header',
    'expired',
    'expired a second ago',
    'not yet valid (nbf in the future)',
    'wrong issuer',
    'wrong audience',
    'tampered payload',
    'malformed',
    'three garbage segments',
    'without exp',
    'an empty bearer',
    'a 12 KB garbage token',
  ])('a token %s is 401 and no decision is asked', async (kind) => {
    const before = await decisionsAsked(t);
    for (const path of ['/tasks/t-1', '/tasks/t-4']) {
      expect401(await t.http().get(path).set('Authorization', `Bearer ${tokens[kind]}`));
    }
    expect401(await t.http().delete('/tasks/t-2').set('Authorization', `Bearer ${tokens[kind]}`));
    expect(await decisionsAsked(t)).toBe(before);
  });

  it.each(['access_token', 'token', 'jwt'])(
    'a valid token in the query string (?%s=) is 401 and no decision is asked',
    async (name) => {
      const token = await tokenFor(alice);
      const before = await decisionsAsked(t);
      expect401(await t.http().get(`/tasks/t-1?${name}=${token}`));
      expect401(await t.http().delete(`/tasks/t-1?${name}=${token}`));
      expect(await decisionsAsked(t)).toBe(before);
    },
  );

  it('a valid token in a cookie is 401 and no decision is asked', async () => {
    const before = await decisionsAsked(t);
    expect401(
      await t
        .http()
        .get('/tasks/t-1')
        .set('Cookie', `access_token=${await tokenFor(alice)}`),
    );
    expect(await decisionsAsked(t)).toBe(before);
  });

  it('a 64 KB Authorization header is 431 (or 401), never a 500, and no decision is asked', async () => {
    const before = await decisionsAsked(t);
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    // Raw node:http: the server may answer before reading the whole header and close.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/tasks/t-1',
          headers: { Authorization: `Bearer ${'A'.repeat(64 * 1024)}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect([401, 431]).toContain(status);
    expect(await decisionsAsked(t)).toBe(before);
    // And the server is still serving.
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
  });
});

const databases: Array<[string, () => Promise<Record<string, string>>]> = [
  ['embedded database', async () => ({})],
];
if (TestEnv.postgresUrl())
  databases.push(['PostgreSQL', async () => ({ DATABASE_URL: await freshPostgresDatabase() })]);

describe.each(databases)('hostile input (%s)', (_name, databaseEnv) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await databaseEnv());
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectClear4xx = (res: { status: number; text: string }, allowed?: number[]) => {
    if (allowed) expect(allowed).toContain(res.status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(STACK_TRACE);
  };

  it.each([
    ['a 257-character id', `/tasks/${'x'.repeat(257)}`, [400]],
    ['a 5000-character id', `/tasks/${'x'.repeat(5000)}`, [400]],
    ['a unicode id', `/tasks/${encodeURIComponent('t-1\u00e9\u{1F600}\u202e')}`, [404]],
    ['an encoded slash (a%2Fb)', '/tasks/a%2Fb', [404]],
    ['an encoded ../t-1', '/tasks/..%2Ft-1', [404]],
    ['.. as the id', '/tasks/%2E%2E', [404]],
    ['a NUL byte (%00)', '/tasks/t-1%00', [400]],
    ['only a NUL byte', '/tasks/%00', [400]],
    ['a malformed escape (%E0%A4%A)', '/tasks/%E0%A4%A', [400, 404]],
    ['an invalid UTF-8 escape (%C3%28)', '/tasks/%C3%28', [400, 404]],
    ['SQL in the id', `/tasks/${encodeURIComponent("t-1' OR '1'='1")}`, [404]],
    // The guard refuses control characters in ids before any lookup.
    ['a control character', '/tasks/t-1%0D%0ASet-Cookie:%20x=y', [400]],
  ] as const)('GET, PATCH and DELETE with %s: a clear 4xx', async (_case, path, statuses) => {
    for (const res of [
      await t.as(alice).get(path),
      await t.as(alice).patch(path, { title: 'x' }),
      await t.as(alice).delete(path),
    ]) {
      expectClear4xx(res, [...statuses]);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // The seed task is untouched.
    expect((await t.as(alice).get('/tasks/t-1')).body).toMatchObject({ id: 't-1' });
  });

  it.each([
    ['title is a number', { title: 42 }],
    ['title is an array', { title: ['a', 'b'] }],
    ['title is an object', { title: { $ne: null } }],
    ['title is null', { title: null }],
    ['title is true', { title: true }],
    ['title is 10 000 characters', { title: 'x'.repeat(10_000) }],
    ['an unknown field', { title: 'x', owner: 'mallory' }],
    ['choosing the status', { title: 'x', status: 'archived' }],
    ['a __proto__ field', JSON.parse('{"title":"x","__proto__":{"isAdmin":true}}')],
    ['a constructor field', { title: 'x', constructor: { prototype: { isAdmin: true } } }],
    ['a nested __proto__ field', JSON.parse('{"title":{"__proto__":{"isAdmin":true}}}')],
    [
      'JSON nested 2000 levels deep',
      JSON.parse(`{"title":"x","a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`),
    ],
    ['a title with a NUL byte', { title: 'a\u0000b' }],
  ])('POST /tasks with %s: 400 when allowed, 403 when denied', async (_case, body) => {
    const res = await t.as(alice).post('/tasks', body);
    expectClear4xx(res, [400]);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Validation failed' });
    // The guard runs first: a subject the policy denies learns nothing about the body.
    expectClear4xx(await t.as(mallory).post('/tasks', body), [403]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('POST /tasks with a form body is accepted like JSON, and validated alike', async () => {
    const res = await t
      .http()
      .post('/tasks')
      .set('Authorization', `Bearer ${await tokenFor(alice)}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('title=From+a+form');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'From a form', createdBy: 'alice', status: 'open' });
  });

  it.each([
    ['status is a number', { status: 1 }],
    ['title has a NUL byte', { title: 'a\u0000b' }],
    ['nested 2000 levels deep', JSON.parse(`{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`)],
    ['status is unknown', { status: 'deleted' }],
    ['status is an array', { status: ['open'] }],
    ['title is empty', { title: '' }],
    ['title is an object', { title: { toString: 'x' } }],
    ['id is sent', { id: 't-2' }],
    ['createdBy is sent', { createdBy: 'alice' }],
    ['createdByType is sent', { createdByType: 'user' }],
  ])('PATCH /tasks/t-1 with %s: 400, the task unchanged', async (_case, body) => {
    const before = (await t.as(alice).get('/tasks/t-1')).body;
    expectClear4xx(await t.as(alice).patch('/tasks/t-1', body), [400]);
    expect((await t.as(alice).get('/tasks/t-1')).body).toEqual(before);
  });

  it.each([
    ['a JSON array', '[{"title":"x"}]', 'application/json'],
    ['a JSON string', '"x"', 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['truncated JSON', '{"title":', 'application/json'],
    ['JSON with a BOM and garbage', '\ufeff{title:x}', 'application/json'],
    [
      'a form with an unknown field',
      'title=x&createdBy=mallory',
      'application/x-www-form-urlencoded',
    ],
    ['a form with a nested field', 'title[a][b]=x', 'application/x-www-form-urlencoded'],
    ['plain text', 'x', 'text/plain'],
    ['a 2 MB JSON body', JSON.stringify({ title: 'x'.repeat(2_000_000) }), 'application/json'],
    ['deeply nested JSON', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'application/json'],
  ])('POST /tasks with %s: a clear 4xx', async (_case, body, contentType) => {
    const res = await t
      .http()
      .post('/tasks')
      .set('Authorization', `Bearer ${await tokenFor(alice)}`)
      .set('Content-Type', contentType)
      .send(body);
    expectClear4xx(res);
  });

  it.each([
    ['an operator object as cursor', '/tasks?after[$gt]=a'],
    ['a repeated limit', '/tasks?limit=1&limit=2'],
    ['a negative limit', '/tasks?limit=-1'],
    ['a fractional limit', '/tasks?limit=1.5'],
    ['a huge limit', '/tasks?limit=1e308'],
    ['an unknown query field', '/tasks?where=1'],
    ['a NUL byte in the cursor', '/tasks?after=t-1%00'],
  ])('GET /tasks with %s: 400', async (_case, path) => {
    expectClear4xx(await t.as(alice).get(path), [400]);
  });

  it('an unknown route is 404 (or 403), never a 500', async () => {
    for (const path of ['/tasks/t-1/owner', '/admin', '/tasks/t-1/../../etc/passwd', '/%00']) {
      expectClear4xx(await t.as(alice).get(path), [403, 404]);
    }
  });

  it('an unknown method is a 4xx, never a 500', async () => {
    expectClear4xx(await t.as(alice).post('/tasks/t-1', { title: 'x' }), [403, 404, 405]);
    const res = await t
      .http()
      .put('/tasks/t-1')
      .set('Authorization', `Bearer ${await tokenFor(alice)}`)
      .send({ title: 'x' });
    expectClear4xx(res, [403, 404, 405]);
  });
});
