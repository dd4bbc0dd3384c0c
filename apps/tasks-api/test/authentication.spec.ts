import { jest } from '@jest/globals';
import { AuthzRepository, OpaService } from 'nestjs-opa';
import { createTestApp, type TestApp } from './support/test-app.js';
import { badTokens, expectInvalidTokenResponse, tokenFor } from './support/tokens.js';

/** Authentication comes first: a bad token never reaches the repository or OPA. */
describe('authentication', () => {
  let t: TestApp;
  let opaCalls: ReturnType<typeof jest.spyOn>;
  let repositoryCalls: ReturnType<typeof jest.spyOn>;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    tokens = await badTokens();
    opaCalls = jest.spyOn(t.app.get(OpaService), 'check');
    repositoryCalls = jest.spyOn(
      t.app.get<AuthzRepository>(AuthzRepository, { strict: false }),
      'loadContext',
    );
  });
  beforeEach(() => {
    opaCalls.mockClear();
    repositoryCalls.mockClear();
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectRejectedBeforeAnyDecision = (res: { status: number; body: any; headers: any }) => {
    expectInvalidTokenResponse(res);
    expect(opaCalls).not.toHaveBeenCalled();
    expect(repositoryCalls).not.toHaveBeenCalled();
  };

  it('accepts a valid token (and then asks OPA)', async () => {
    await t
      .http()
      .get('/tasks/t-1')
      .set('Authorization', `Bearer ${await tokenFor({ type: 'user', id: 'alice' })}`)
      .expect(200);
    expect(opaCalls).toHaveBeenCalledTimes(1);
  });

  it.each(['GET /tasks', 'GET /tasks/t-1', 'POST /tasks', 'PATCH /tasks/t-1', 'DELETE /tasks/t-1'])(
    '%s without an Authorization header is 401',
    async (route) => {
      const [method, path] = route.split(' ') as ['GET', string];
      const res = await t.http()[method.toLowerCase() as 'get'](path).send({ title: 'x' });
      expectRejectedBeforeAnyDecision(res);
    },
  );

  it.each([
    'malformed',
    'three garbage segments',
    'expired',
    'without exp',
    'tampered payload',
    'signed with another key',
    'alg none',
    'HS256 with the public key as secret',
    'wrong issuer',
    'wrong audience',
    'no subject type',
    'unknown subject type',
  ])('a token %s is 401', async (kind) => {
    const res = await t.http().get('/tasks/t-1').set('Authorization', `Bearer ${tokens[kind]}`);
    expectRejectedBeforeAnyDecision(res);
  });

  it('a valid token in another scheme is 401', async () => {
    const token = await tokenFor({ type: 'user', id: 'alice' });
    expectRejectedBeforeAnyDecision(
      await t.http().get('/tasks/t-1').set('Authorization', `Token ${token}`),
    );
  });

  it.each(['access_token', 'token', 'auth_token', 'jwt'])(
    'a valid token in the query string (?%s=) is 401',
    async (name) => {
      const token = await tokenFor({ type: 'user', id: 'alice' });
      expectRejectedBeforeAnyDecision(await t.http().get(`/tasks/t-1?${name}=${token}`));
      expectRejectedBeforeAnyDecision(await t.http().get(`/tasks?${name}=${token}`));
    },
  );

  it('GET /health/ready needs no token and reports OPA and the database', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.info).toMatchObject({ opa: { status: 'up' }, database: { status: 'up' } });
  });

  it('GET /health needs no token', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { opa: { status: 'up' }, database: { status: 'up' } },
    });
  });
});

describe('subjects of the same id but another type, and unknown subjects', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('token ci-bot reads every task', async () => {
    const bot = t.as({ type: 'token', id: 'ci-bot' });
    const res = await bot.get('/tasks');
    expect(res.body.items.map((task: { id: string }) => task.id)).toEqual([
      't-1',
      't-2',
      't-3',
      't-4',
    ]);
    for (const id of ['t-1', 't-2', 't-3', 't-4'])
      expect((await bot.get(`/tasks/${id}`)).status).toBe(200);
    expect((await bot.post('/tasks', { title: 'x' })).status).toBe(403);
  });

  it('user ci-bot gets nothing from the token binding', async () => {
    const user = t.as({ type: 'user', id: 'ci-bot' });
    expect((await user.get('/tasks')).body).toEqual({ items: [] });
    // Nor does a task the token created: see ownership.spec.ts.
    for (const id of ['t-1', 't-2', 't-3', 't-4'])
      expect((await user.get(`/tasks/${id}`)).status).toBe(403);
  });

  it('mallory (authenticated, no record) sees an empty list and is denied reads', async () => {
    const mallory = t.as({ type: 'user', id: 'mallory' });
    const list = await mallory.get('/tasks');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [] });
    const res = await mallory.get('/tasks/t-1');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, message: 'Access denied' });
  });
});
