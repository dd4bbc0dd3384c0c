import { Module, type INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { OpaModule, OpaResponseError } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';
import { createApp } from '../support/guard-scenario.js';
import { carolUpdatesT2 } from '../support/seed.js';
import { closeServices, createService, transports } from './opa-client.js';

/**
 * OPA run with `--authentication=token --authorization=basic`: policies/system/authz lets through
 * the token in OPA's OPA_AUTH_TOKEN, and `GET /health` without one.
 */
describe('OPA with bearer-token authentication', () => {
  const token = randomBytes(24).toString('base64url');
  let opa: RunningOpa;

  beforeAll(async () => {
    opa = await startOpa({
      args: ['--authentication=token', '--authorization=basic'],
      env: { OPA_AUTH_TOKEN: token },
    });
  });
  afterAll(async () => {
    await closeServices();
    await opa?.stop();
  });

  describe.each(transports)('over the %s transport', (_name, transport) => {
    it('gets decisions with the token', async () => {
      const opaService = await createService(transport, { url: opa.url, token });
      expect(await opaService.check(carolUpdatesT2)).toMatchObject({ permit: true });
      await expect(opaService.health()).resolves.toBeUndefined();
    });

    it.each([
      ['a wrong token', { token: 'not-the-token' }],
      ['no token', {}],
    ])('gets OpaResponseError 401 with %s, and health still answers', async (_case, extra) => {
      const opaService = await createService(transport, { url: opa.url, ...extra });
      const error = await opaService.check(carolUpdatesT2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpaResponseError);
      expect(error).toMatchObject({ status: 401 });
      await expect(opaService.evaluate('authz/allow', {})).rejects.toMatchObject({ status: 401 });
      await expect(opaService.health()).resolves.toBeUndefined();
    });
  });

  describe('the guard', () => {
    const appWith = async (options: { token?: string }) => {
      @Module({
        imports: [
          OpaModule.forRoot({ url: opa.url, repository: InMemoryAuthzRepository, ...options }),
          FixturesModule,
        ],
      })
      class AppModule {}
      return createApp(AppModule, 'express');
    };
    let apps: INestApplication[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });

    it('decides with the token, and answers 503 (never an allow) without it', async () => {
      const [withToken, withoutToken] = (apps = [await appWith({ token }), await appWith({})]);
      const read = (app: INestApplication) =>
        request(app.getHttpServer()).get('/tasks/t-1').set('x-subject', 'user:alice');
      await read(withToken).expect(200);
      const res = await read(withoutToken).expect(503);
      expect(res.body.message).toBe('Authorization decision unavailable');
    });
  });
});
