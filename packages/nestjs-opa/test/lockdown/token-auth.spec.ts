import { Module, type INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { OpaModule, OpaResponseError } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';
import { createApp } from '../support/guard-scenario.js';
import { carolUpdatesT2 } from '../support/seed.js';
import { decisionLogLine as logLine, logLineContaining } from '../support/opa-log.js';
import { closeServices, createService, transports } from './opa-client.js';

/**
 * OPA run with `--authentication=token --authorization=basic`: policies/system/authz lets through
 * the token in OPA's OPA_AUTH_TOKEN, and `GET /health` without one.
 */
describe('OPA with bearer-token authentication', () => {
  const token = randomBytes(24).toString('base64url');
  let opa: RunningOpa;
  let dir: string;
  let logFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-token-'));
    logFile = join(dir, 'opa.log');
    opa = await startOpa({
      args: ['--authentication=token', '--authorization=basic'],
      env: { OPA_AUTH_TOKEN: token },
      decisionLogs: true,
      logFile,
    });
  });
  afterAll(async () => {
    await closeServices();
    await opa?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw call to OPA's API with the token; the body as text and the decision id, if any. */
  const callOpa = async (path: string, body?: object) => {
    const response = await fetch(`${opa.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}` },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, decisionId: (JSON.parse(text) as { decision_id?: string }).decision_id };
  };

  describe('no document holds the token', () => {
    it.each(['/v1/data', '/v1/data/system', '/v1/data/system/authz'])(
      'GET %s answers without it, and logs no trace of it',
      async (path) => {
        const { text, decisionId } = await callOpa(path);
        expect(text).not.toContain(token);
        expect(await logLine(logFile, decisionId!)).not.toContain(token);
      },
    );

    it('an ad-hoc query of opa.runtime() is answered (the token is an admin credential) but not logged', async () => {
      const { text } = await callOpa('/v1/query', { query: 'x := opa.runtime()' });
      expect(text).toContain('OPA_AUTH_TOKEN');
      // Ad-hoc answers carry no decision id; the event names the query.
      const line = await logLineContaining(logFile, '"query":"assign(x, opa.runtime())"');
      expect(line).not.toContain(token);
      expect(JSON.parse(line).erased).toEqual(['/result']);
    });

    afterAll(() => {
      expect(readFileSync(logFile, 'utf8')).not.toContain(token);
    });
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
