import type { INestApplication, LoggerService } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DECISION_ID_HEADER, RouteAuditor } from '../../src/index.js';

export type Platform = 'express' | 'fastify';

/** Boots `AppModule` on the chosen platform, listening on a free 127.0.0.1 port; silent by default. */
export async function createApp(
  appModule: unknown,
  platform: Platform,
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [appModule as never] }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter())
      : moduleRef.createNestApplication();
  app.useLogger(logger);
  await app.init();
  if (platform === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** `GET path` on `app` as `subject` (`user:alice`, read by the fixtures), or as nobody. */
export function getAs(app: INestApplication, path: string, subject?: string) {
  const req = request(app.getHttpServer()).get(path);
  return subject ? req.set('x-subject', subject) : req;
}

/**
 * The guard's contract, driven over HTTP through a real OPA: the same assertions for every
 * scenario (platform × module registration × transport).
 */
export function describeGuardContract(name: string, appModule: () => unknown, platform: Platform) {
  describe(name, () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createApp(appModule(), platform);
    });
    afterAll(async () => {
      await app?.close();
    });

    const get = (path: string, subject?: string) => getAs(app, path, subject);

    it('allows what the policy permits (global admin reads a task)', async () => {
      const res = await get('/tasks/t-1', 'user:alice').expect(200);
      expect(res.body).toEqual({
        id: 't-1',
        created_by: 'alice',
        created_by_type: 'user',
        status: 'open',
      });
      expect(res.headers[DECISION_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('allows through a type-scoped binding and through the ownership rule', async () => {
      await get('/tasks/t-3', 'user:bob').expect(200);
      await get('/tasks/t-3', 'user:dave').expect(200);
    });

    it('answers 403 with a stable body and the decision id when the policy denies', async () => {
      const res = await get('/tasks/t-1', 'user:dave').expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Access denied',
        decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(res.headers[DECISION_ID_HEADER]).toBe(res.body.decisionId);
    });

    it('applies custom deny rules over any grant (banned editor)', async () => {
      await get('/tasks/t-1', 'user:erin').expect(403);
    });

    it('never lets a token binding grant anything to a user of the same id', async () => {
      await get('/tasks/t-1', 'token:ci-bot').expect(200);
      await get('/tasks/t-1', 'user:ci-bot').expect(403);
    });

    it('decides collection-level actions without an id', async () => {
      await request(app.getHttpServer())
        .post('/tasks')
        .set('x-subject', 'user:bob')
        .send({ title: 'x' })
        .expect(201);
      await request(app.getHttpServer())
        .post('/tasks')
        .set('x-subject', 'token:ci-bot')
        .send({})
        .expect(403);
    });

    it('answers 404 for an unknown id before asking OPA', async () => {
      await get('/tasks/t-404', 'user:alice').expect(404);
    });

    it('answers 401 when no user is on a guarded route', async () => {
      const res = await get('/tasks/t-1').expect(401);
      expect(res.body.message).toBe('Authentication required');
    });

    it('lets public routes through without a user', async () => {
      await get('/public').expect(200);
    });

    it('denies a route without @Authorize() or @Public(), and reports it at startup', async () => {
      const res = await get('/forgotten', 'user:alice').expect(403);
      expect(res.body.leaked).toBeUndefined();
      expect(app.get(RouteAuditor).unprotectedRoutes()).toEqual([
        { method: 'GET', path: '/forgotten', handler: 'MiscController.forgotten' },
      ]);
    });
  });
}
