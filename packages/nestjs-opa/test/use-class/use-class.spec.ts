import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../support/guard-scenario.js';
import { AppModule } from './app.module.js';

describe.each(['express', 'fastify'] as const)(
  'forRootAsync useClass without a repository (%s)',
  (platform) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createApp(AppModule, platform);
    });
    afterAll(() => app?.close());

    it('answers 503 on guarded routes, never an allow', async () => {
      await request(app.getHttpServer())
        .get('/tasks/t-1')
        .set('x-subject', 'user:alice')
        .expect(503);
    });

    it('still serves public routes', async () => {
      await request(app.getHttpServer()).get('/public').expect(200);
    });
  },
);
