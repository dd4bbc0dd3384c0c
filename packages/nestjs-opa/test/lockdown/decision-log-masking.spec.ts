import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { UndiciTransport, type OpaService } from '../../src/index.js';
import { carolUpdatesT2 } from '../support/seed.js';
import { decisionLogLine as logLine } from '../support/opa-log.js';
import { credentialSpellings } from './decision-log.js';
import { closeServices, createService } from './opa-client.js';

/** policies/system/log erases credentials from the decision log; the decision itself stays. */
describe('decision log masking', () => {
  let dir: string;
  let logFile: string;
  let opa: RunningOpa;
  let service: OpaService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-log-'));
    logFile = join(dir, 'opa.log');
    opa = await startOpa({ decisionLogs: true, logFile });
    service = await createService(UndiciTransport, { url: opa.url });
  });
  afterAll(async () => {
    await closeServices();
    await opa?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The logged event of `decisionId`, after checking its line holds none of `secrets`. */
  const loggedWithout = async (decisionId: string | undefined, secrets: string[]) => {
    const line = await logLine(logFile, decisionId!);
    const leaked = secrets.filter((secret) => line.includes(secret));
    expect(leaked).toEqual([]);
    return JSON.parse(line);
  };

  it('logs the decision without the secrets its input carried', async () => {
    const secrets = ['tok-7f3a9c', 'Bearer hdr-51be02', 'pw-c0ffee', 'key-d34db3'];
    const input = {
      subject: { type: 'user', id: 'alice', attributes: { password: secrets[2] } },
      action: 'task:read',
      resource: { type: 'Task', id: 't-1' },
      roles: { admin: { permissions: ['task:*'] } },
      bindings: [{ subject: { type: 'user', id: 'alice' }, role: 'admin', scope: null }],
      token: secrets[0],
      headers: { authorization: secrets[1], 'X-Api-Key': secrets[3] },
    };
    const { result, decisionId } = await service.evaluate('authz/decision', input);
    expect(result).toMatchObject({ permit: true });

    const event = await loggedWithout(decisionId, secrets);
    expect(event).toMatchObject({
      msg: 'Decision Log',
      path: 'authz/decision',
      result: { permit: true },
      input: { subject: { id: 'alice', attributes: {} }, action: 'task:read', headers: {} },
    });
    expect(event.erased.sort()).toEqual([
      '/input/headers/X-Api-Key',
      '/input/headers/authorization',
      '/input/subject/attributes/password',
      '/input/token',
    ]);
  });

  describe('every spelling of a credential key', () => {
    const spellings = credentialSpellings();
    // One distinct secret per key and place, so a leak names the spelling that leaked.
    const secretsAt = (place: string) =>
      Object.fromEntries(spellings.map((key, i) => [key, `s3cr3t-${place}-${i}`]));
    const allSecrets = (...objects: Record<string, string>[]) =>
      objects.flatMap((o) => Object.values(o));

    it('is generated in well over a hundred forms', () => {
      expect(spellings.length).toBeGreaterThanOrEqual(150);
      expect(spellings).toEqual(
        expect.arrayContaining(['apiKey', 'x-api-key', 'X-API-KEY', 'ClientSecret', 'set.cookie']),
      );
    });

    it('is erased from subject attributes sent by check(), and the decision stays', async () => {
      const attributes = secretsAt('attr');
      const request = {
        ...carolUpdatesT2,
        subject: { ...carolUpdatesT2.subject, attributes: { ...attributes, team: 'ops' } },
      };
      const decision = await service.check(request);
      expect(decision).toMatchObject({ permit: true });

      const event = await loggedWithout(decision.decisionId, allSecrets(attributes));
      expect(event.input.subject).toEqual({
        type: 'user',
        id: 'carol',
        attributes: { team: 'ops' },
      });
      expect(event.erased).toHaveLength(spellings.length);
    });

    it('is erased from headers, nested auth objects and bulk queries', async () => {
      const headers = secretsAt('header');
      const nested = secretsAt('nested');
      const input = {
        ...carolInput(),
        headers: { ...headers, accept: 'application/json' },
        auth: { scheme: 'basic', user: 'carol', password: 'auth-object-secret' },
        credentials: { clientId: 'c', value: 'credentials-object-secret' },
        context: { 'forwarded-for': 'Bearer fwd-bearer-secret' },
        queries: [{ action: 'task:read', subject: { type: 'user', id: 'x', attributes: nested } }],
      };
      const { result, decisionId } = await service.evaluate('authz/decision', input);
      expect(result).toMatchObject({ permit: true });

      const extra = ['auth-object-secret', 'credentials-object-secret', 'fwd-bearer-secret'];
      const event = await loggedWithout(decisionId, [...allSecrets(headers, nested), ...extra]);
      expect(event.input.headers).toEqual({ accept: 'application/json' });
      expect(event.input.queries).toEqual([
        { action: 'task:read', subject: { type: 'user', id: 'x', attributes: {} } },
      ]);
      expect(event.erased).toEqual(
        expect.arrayContaining([
          '/input/auth',
          '/input/credentials',
          '/input/context/forwarded-for',
        ]),
      );
    });

    it('is erased from a result too', async () => {
      // A policy that answers with what it was given, as a token-issuing rule might.
      await putPolicy('package echo\n\nanswer := input\n');
      const issued = secretsAt('result');
      const { result, decisionId } = await service.evaluate('echo/answer', {
        client: { id: 'ci', ...issued },
      });
      expect(result).toMatchObject({ client: { id: 'ci' } });

      const event = await loggedWithout(decisionId, allSecrets(issued));
      expect(event.result).toEqual({ client: { id: 'ci' } });
      expect(event.erased).toEqual(expect.arrayContaining(['/result/client/apiKey']));
    });
  });

  it('keeps every field the log is for: subject, action, resource, roles, bindings, answer', async () => {
    const input = {
      ...carolInput(),
      subject: { type: 'token', id: 'ci-bot', attributes: { banned: false } },
      roles: {
        'token-admin': { permissions: ['task:*'] },
        'secret-reader': { permissions: ['task:read'] },
        session_manager: { permissions: ['task:list'] },
      },
      bindings: [{ subject: { type: 'token', id: 'ci-bot' }, role: 'token-admin', scope: null }],
    };
    const { result, decisionId } = await service.evaluate('authz/decision', input);
    expect(result).toMatchObject({ permit: true });

    const event = await loggedWithout(decisionId, []);
    expect(event.erased).toBeUndefined();
    expect(event.input).toEqual(input);
    expect(event.result).toEqual(result);
  });

  function carolInput() {
    return {
      subject: { type: 'user', id: 'carol' },
      action: 'task:update',
      resource: { type: 'Task', id: 't-2', created_by: 'bob', status: 'open' },
      roles: carolUpdatesT2.roles,
      bindings: carolUpdatesT2.bindings,
    };
  }

  async function putPolicy(source: string) {
    const response = await fetch(`${opa.url}/v1/policies/echo`, { method: 'PUT', body: source });
    expect(response.status).toBe(200);
  }
});
