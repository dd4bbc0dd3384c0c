import { HttpModule } from '@nestjs/axios';
import type { Type } from '@nestjs/common';
import { HttpServiceTransport } from '../../src/axios/index.js';
import {
  OpaInvalidResponseError,
  OpaResponseError,
  type OpaService,
  OpaTimeoutError,
  OpaUnavailableError,
  UndiciTransport,
  type OpaModuleOptions,
  type OpaTransport,
} from '../../src/index.js';
import { freePort } from '../../../../scripts/opa-server.mjs';
import { FaultServer, faults } from '../support/fault-server.js';
import { carolUpdatesT2 } from '../support/seed.js';
import { createOpaTesting } from '../support/opa-testing.js';

async function createService(
  url: string,
  transport: Type<OpaTransport>,
  timeout = 300,
  extra: Partial<OpaModuleOptions> = {},
): Promise<OpaService> {
  const { opa } = await createOpaTesting({
    imports: [HttpModule],
    url,
    timeout,
    transport,
    auditLog: false,
    ...extra,
  });
  return opa;
}

describe.each([
  ['undici', UndiciTransport],
  ['HttpService', HttpServiceTransport],
] as const)('OpaService over the %s transport', (_name, transport) => {
  describe('against the real OPA', () => {
    let opa: OpaService;
    beforeAll(async () => {
      opa = await createService(process.env.OPA_URL!, transport);
    });

    it('permits an instance-scoped grant and returns the decision id', async () => {
      const decision = await opa.check(carolUpdatesT2);
      expect(decision).toMatchObject({ permit: true, allow: true, deny: false });
      expect(decision.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('denies the same grant on another instance', async () => {
      const decision = await opa.check({
        ...carolUpdatesT2,
        resource: { type: 'Task', id: 't-1' },
      });
      expect(decision).toMatchObject({ permit: false, allow: false, deny: false });
    });

    it('reports a veto separately from the grant', async () => {
      const archived = {
        ...carolUpdatesT2,
        resource: { ...carolUpdatesT2.resource, attributes: { status: 'archived' } },
      };
      expect(await opa.check(archived)).toMatchObject({ permit: false, allow: true, deny: true });
    });

    it('evaluates any rule, and undefined rules as undefined', async () => {
      const input = { ...carolUpdatesT2, resource: { type: 'Task', id: 't-2' } };
      expect((await opa.evaluate<boolean>('authz/allow', input)).result).toBe(true);
      expect((await opa.evaluate('authz.no_such_rule', input)).result).toBeUndefined();
    });

    it('puts, patches and deletes data, and puts and deletes a policy', async () => {
      const id = `test_${_name.toLowerCase()}`;
      await opa.putData(`${id}/flags`, { beta: true });
      await opa.patchData(`${id}/flags`, [{ op: 'replace', path: '/beta', value: false }]);
      expect((await opa.evaluate(`${id}/flags`)).result).toEqual({ beta: false });
      await opa.putPolicy(id, `package ${id}.rules\n\nanswer := data.${id}.flags.beta\n`);
      expect((await opa.evaluate(`${id}/rules/answer`)).result).toBe(false);
      await opa.deletePolicy(id);
      await opa.deleteData(`${id}/flags`);
      expect((await opa.evaluate(`${id}/flags`)).result).toBeUndefined();
    });

    it('raises OpaResponseError with the status for a policy OPA rejects', async () => {
      await expect(opa.putPolicy('broken', 'package broken\n\nallow if {')).rejects.toMatchObject({
        name: 'OpaResponseError',
        status: 400,
      });
    });

    it('passes the health probe', async () => {
      await expect(opa.health()).resolves.toBeUndefined();
      await expect(opa.health({ plugins: true })).resolves.toBeUndefined();
    });

    it('refuses data paths that could leave the data tree', async () => {
      await expect(opa.evaluate('../v1/policies')).rejects.toThrow(TypeError);
    });
  });

  describe('against an OPA that is down', () => {
    it('raises OpaUnavailableError with the cause', async () => {
      const opa = await createService(`http://127.0.0.1:${await freePort()}`, transport);
      const error = await opa.check(carolUpdatesT2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpaUnavailableError);
      expect(error).not.toBeInstanceOf(OpaTimeoutError);
      expect((error as Error).cause).toBeDefined();
    });
  });

  describe('against a misbehaving OPA', () => {
    const server = new FaultServer();
    // Long enough that a loaded machine reads a 2 MiB body inside it, short enough to wait for.
    const deadline = 1_000;
    let opa: OpaService;
    beforeAll(async () => {
      // No breaker here: each fault is asserted on its own error, not on an open circuit.
      opa = await createService(await server.start(), transport, deadline, {
        circuitBreaker: false,
      });
    });
    afterAll(() => server.stop());

    it('times out a slow answer with OpaTimeoutError, at the deadline', async () => {
      server.handler = faults.slow(20_000);
      const started = performance.now();
      await expect(opa.check(carolUpdatesT2)).rejects.toBeInstanceOf(OpaTimeoutError);
      // Not before the deadline (timers never fire early), long before OPA's answer at 20 s:
      // the margin is for a loaded machine, not for the deadline.
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(deadline - 2);
      expect(elapsed).toBeLessThan(10_000);
    });

    it('raises OpaResponseError on a 500', async () => {
      server.handler = faults.json(500, { code: 'internal_error', message: 'boom' });
      await expect(opa.check(carolUpdatesT2)).rejects.toMatchObject({
        name: 'OpaResponseError',
        status: 500,
      });
      await expect(opa.check(carolUpdatesT2)).rejects.toBeInstanceOf(OpaResponseError);
    });

    it('raises OpaInvalidResponseError on a body that is not JSON', async () => {
      server.handler = faults.text('<html>gateway</html>');
      await expect(opa.check(carolUpdatesT2)).rejects.toBeInstanceOf(OpaInvalidResponseError);
    });

    it('raises OpaInvalidResponseError on a body over the size limit', async () => {
      server.handler = faults.huge(2 * 1024 * 1024);
      await expect(opa.check(carolUpdatesT2)).rejects.toBeInstanceOf(OpaInvalidResponseError);
    });

    it('denies on a partial document', async () => {
      server.handler = faults.json(200, { result: { permit: true } });
      expect(await opa.check(carolUpdatesT2)).toMatchObject({ permit: false });
    });

    it('sends the decision input to the decision endpoint with the configured headers', async () => {
      let seen: { url?: string; body?: string; contentType?: string } = {};
      server.handler = (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk));
        req.on('end', () => {
          seen = { url: req.url, body, contentType: req.headers['content-type'] };
          res.end('{"result":{"permit":false,"allow":false,"deny":false}}');
        });
      };
      await opa.check(carolUpdatesT2);
      expect(seen.url).toBe('/v1/data/authz/decision');
      expect(seen.contentType).toBe('application/json');
      expect(JSON.parse(seen.body!).input).toEqual({
        subject: { type: 'user', id: 'carol', attributes: {} },
        action: 'task:update',
        resource: { type: 'Task', id: 't-2', created_by: 'bob', status: 'open' },
        roles: carolUpdatesT2.roles,
        bindings: carolUpdatesT2.bindings,
      });
    });
  });
});

describe('OpaModule options', () => {
  it('sends the bearer token and extra headers to OPA', async () => {
    const server = new FaultServer();
    let headers: Record<string, unknown> = {};
    server.handler = (req, res) => {
      headers = req.headers;
      res.end('{}');
    };
    const url = await server.start();
    const { moduleRef, opa } = await createOpaTesting({
      url,
      token: 's3cret',
      headers: { 'x-tenant': 'acme' },
    });
    await opa.health();
    await moduleRef.close();
    await server.stop();
    expect(headers).toMatchObject({ authorization: 'Bearer s3cret', 'x-tenant': 'acme' });
  });
});
