import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { createApp } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

/** Our own OPA, so it can be stopped and started again on the same port. */
describe('OPA outage: fail closed, then recover', () => {
  let opa: RunningOpa;
  let app: INestApplication;

  beforeAll(async () => {
    opa = await startOpa();
    app = await createApp(createAppModule(opa.url), 'express');
  });
  afterAll(async () => {
    await app?.close();
    await opa?.stop();
  });

  const read = () => request(app.getHttpServer()).get('/tasks/t-1').set('x-subject', 'user:alice');

  it('answers 503, never 2xx, while OPA is stopped, and recovers once it is back', async () => {
    await read().expect(200);

    await opa.stop();
    const res = await read().expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Authorization decision unavailable',
    });
    // A denied subject must not slip through either.
    await request(app.getHttpServer()).get('/tasks/t-1').set('x-subject', 'user:dave').expect(503);

    // The route that opted in to fail-open is let through, and the guard says so loudly.
    await request(app.getHttpServer())
      .get('/tasks/t-1/summary')
      .set('x-subject', 'user:dave')
      .expect(200);

    opa = await startOpa({ port: opa.port });
    // Fail-open never turns a real denial into an allow.
    await request(app.getHttpServer())
      .get('/tasks/t-1/summary')
      .set('x-subject', 'user:dave')
      .expect(403);
    await read().expect(200);
    await request(app.getHttpServer()).get('/tasks/t-1').set('x-subject', 'user:dave').expect(403);
  });
});
