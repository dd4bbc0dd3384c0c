import type { INestApplication, LoggerService } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { DECISION_ID_HEADER } from '../../src/index.js';
import { createApp, getAs, type Platform } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

class AuditLines implements LoggerService {
  lines: unknown[] = [];
  log(message: unknown, context?: unknown) {
    if (context === 'OpaAudit') this.lines.push(message);
  }
  warn() {}
  error() {}
}

/** Everything a client sees, but the clock. */
const seen = (res: Response) => {
  const { date: _date, ...headers } = res.headers;
  return { status: res.status, headers, body: res.text };
};

describe.each<Platform>(['express', 'fastify'])('denyAsNotFound (%s)', (platform) => {
  let app: INestApplication;
  let audit: AuditLines;

  const get = (path: string, subject: string) => getAs(app, path, subject);

  describe('on for the module', () => {
    beforeAll(async () => {
      app = await createApp(createAppModule(process.env.OPA_URL!, true), platform);
      audit = new AuditLines();
      app.useLogger(audit);
    });
    afterAll(async () => {
      await app?.close();
    });

    it('answers a denied known id exactly like an unknown id', async () => {
      const unknown = await get('/tasks/t-404', 'user:dave');
      const denied = await get('/tasks/t-1', 'user:dave');
      expect(seen(denied)).toEqual(seen(unknown));
      expect(denied.status).toBe(404);
      expect(denied.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Task not found',
      });
      expect(denied.headers[DECISION_ID_HEADER]).toBeUndefined();
    });

    it('still writes the denial, with its decision id, in the audit line', async () => {
      audit.lines = [];
      await get('/tasks/t-1', 'user:ci-bot').expect(404);
      expect(audit.lines).toEqual([
        expect.objectContaining({
          subject: 'user:ci-bot',
          resource: 'Task:t-1',
          outcome: 'deny',
          decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        }),
      ]);
    });

    it('changes nothing for permitted requests and collection routes', async () => {
      const res = await get('/tasks/t-1', 'user:alice').expect(200);
      expect(res.headers[DECISION_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
      await request(app.getHttpServer())
        .post('/tasks')
        .set('x-subject', 'token:ci-bot')
        .send({})
        .expect(403);
    });

    it('lets a route opt out with @Authorize(action, { denyAsNotFound: false })', async () => {
      const res = await get('/per-route/shown/t-1', 'user:dave').expect(403);
      expect(res.body.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('off (the default)', () => {
    beforeAll(async () => {
      app = await createApp(createAppModule(process.env.OPA_URL!, false), platform);
    });
    afterAll(async () => {
      await app?.close();
    });

    it('keeps 403 with the decision id for a denied known id, 404 for an unknown one', async () => {
      const denied = await get('/tasks/t-1', 'user:dave').expect(403);
      expect(denied.headers[DECISION_ID_HEADER]).toBe(denied.body.decisionId);
      await get('/tasks/t-404', 'user:dave').expect(404);
    });

    it('lets a route opt in with @Authorize(action, { denyAsNotFound: true })', async () => {
      const unknown = await get('/per-route/hidden/t-404', 'user:dave');
      const denied = await get('/per-route/hidden/t-1', 'user:dave');
      expect(denied.status).toBe(404);
      expect(seen(denied)).toEqual(seen(unknown));
      await get('/per-route/hidden/t-1', 'user:alice').expect(200);
    });
  });
});
