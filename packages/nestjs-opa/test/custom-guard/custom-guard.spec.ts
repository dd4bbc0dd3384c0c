import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

describe('a PolicyGuard subclass as the global guard', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(createAppModule(process.env.OPA_URL!), 'express');
  });
  afterAll(() => app?.close());

  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token ? req.set('x-api-token', token) : req;
  };

  it('decides for the subject its override finds (token ci-bot: viewer everywhere)', async () => {
    await get('/tasks/t-1', 'ci-bot').expect(200);
  });

  it('keeps the library answers: 403 on deny, 401 without a subject, 404 before OPA', async () => {
    await get('/tasks/t-1', 'alice').expect(403); // a token named alice holds no binding
    await get('/tasks/t-1').expect(401);
    await get('/tasks/t-404', 'ci-bot').expect(404);
  });

  it('ignores request.user, which its override does not read', async () => {
    await request(app.getHttpServer()).get('/tasks/t-1').set('x-subject', 'user:alice').expect(401);
  });
});
