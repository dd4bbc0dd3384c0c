import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import WebSocket from 'ws';
import { freePort, startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { RouteAuditor } from '../../src/index.js';
import { tasks } from '../support/fixtures.js';
import { createAppModule } from './app.module.js';

/**
 * One guard, every entry point, over real transports: Apollo over HTTP, the `ws` adapter and a
 * TCP microservice, against a real OPA of its own (its request counter must see only this file).
 */
describe('Entry points: GraphQL, WebSocket, TCP microservice', () => {
  let opa: RunningOpa;
  let app: INestApplication;
  let baseUrl: string;
  let tcpPort: number;
  let tcp: ClientProxy;

  beforeAll(async () => {
    opa = await startOpa({ decisionLogs: true });
    const moduleRef = await Test.createTestingModule({
      imports: [createAppModule(opa.url)],
    }).compile();
    app = moduleRef.createNestApplication();
    app.useLogger(false);
    app.useWebSocketAdapter(new WsAdapter(app));
    tcpPort = await freePort();
    app.connectMicroservice(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port: tcpPort } },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    tcp = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
  });
  afterAll(async () => {
    tcp?.close();
    await app?.close();
    await opa?.stop();
  });

  const graphql = (query: string, subject?: string) => {
    const req = request(app.getHttpServer()).post('/graphql');
    return (subject ? req.set('x-subject', subject) : req).send({ query });
  };

  /** `v1/data` requests OPA has served so far, from its own Prometheus metrics. */
  const opaDataRequests = async () => {
    const text = await (await fetch(`${opa.url}/metrics`)).text();
    return [
      ...text.matchAll(
        /^http_request_duration_seconds_count\{[^}]*handler="v1\/data"[^}]*\} (\d+)/gm,
      ),
    ]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  };

  describe('GraphQL (Apollo over HTTP)', () => {
    it('answers an allowed query', async () => {
      const res = await graphql('{ task(id: "t-1") { id status } }', 'user:alice').expect(200);
      expect(res.body).toEqual({ data: { task: { id: 't-1', status: 'open' } } });
    });

    it('denies with FORBIDDEN and the decision id at the field path', async () => {
      const res = await graphql('{ task(id: "t-1") { id } }', 'user:dave');
      expect(res.body.data).toEqual({ task: null });
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: 'Access denied',
          path: ['task'],
          extensions: { code: 'FORBIDDEN', decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        }),
      ]);
      expect(res.body.errors[0].extensions.stacktrace).toBeUndefined();
    });

    it('answers UNAUTHENTICATED without a user and NOT_FOUND for an unknown id', async () => {
      const anonymous = await graphql('{ task(id: "t-1") { id } }');
      expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const unknown = await graphql('{ task(id: "t-404") { id } }', 'user:alice');
      expect(unknown.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('decides mutations like REST routes', async () => {
      const allowed = await graphql('mutation { createTask }', 'user:bob');
      expect(allowed.body).toEqual({ data: { createTask: true } });
      const denied = await graphql('mutation { createTask }', 'token:ci-bot');
      expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('filters a list query with @AuthorizeList()', async () => {
      const bob = await graphql('{ tasks { id } }', 'user:bob');
      expect(bob.body.data.tasks.map((t: { id: string }) => t.id).sort()).toEqual(['t-1', 't-3']);
      const dave = await graphql('{ tasks { id } }', 'user:dave');
      expect(dave.body.data.tasks).toEqual([{ id: 't-3' }]);
    });

    it('nulls a denied field with FORBIDDEN at its path; the rest answers', async () => {
      const res = await graphql('{ tasks { id status audit } }', 'user:bob');
      expect(res.body.data.tasks).toEqual([
        { id: 't-1', status: 'open', audit: null },
        { id: 't-3', status: 'open', audit: null },
      ]);
      expect(res.body.errors.map((e: { path: unknown }) => e.path)).toEqual([
        ['tasks', 0, 'audit'],
        ['tasks', 1, 'audit'],
      ]);
      for (const error of res.body.errors) {
        // The decision id of the one bulk call that denied both, from OPA's decision log.
        expect(error.extensions).toEqual({ code: 'FORBIDDEN', decisionId: expect.any(String) });
      }
      expect(res.body.errors[0].extensions.decisionId).toBe(
        res.body.errors[1].extensions.decisionId,
      );
    });

    it('decides a guarded field of N parents in ONE bulk call to OPA', async () => {
      const before = await opaDataRequests();
      const res = await graphql('{ tasks { id audit } }', 'user:alice');
      expect(res.body).toEqual({
        data: {
          tasks: [
            { id: 't-1', audit: 'audit of t-1' },
            { id: 't-3', audit: 'audit of t-3' },
          ],
        },
      });
      // The list itself is a /v1/compile call; the two `audit` fields are one /v1/data call.
      expect((await opaDataRequests()) - before).toBe(1);
    });

    it('answers SERVICE_UNAVAILABLE for field decisions when OPA cannot answer', async () => {
      // A second app whose OPA is a closed port: fail closed, the field is null.
      const moduleRef = await Test.createTestingModule({
        imports: [createAppModule(`http://127.0.0.1:${await freePort()}`)],
      }).compile();
      const down = moduleRef.createNestApplication();
      down.useLogger(false);
      down.useWebSocketAdapter(new WsAdapter(down));
      await down.init();
      try {
        const res = await request(down.getHttpServer())
          .post('/graphql')
          .set('x-subject', 'user:alice')
          .send({ query: '{ task(id: "t-1") { id audit } }' });
        expect(res.body.data).toEqual({ task: null });
        expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      } finally {
        await down.close();
      }
    });

    it('denies a resolver or a field resolver with neither decorator', async () => {
      const res = await graphql('{ forgotten }', 'user:alice');
      expect(res.body.data).toBeNull();
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const field = await graphql('{ task(id: "t-1") { id summary } }', 'user:alice');
      expect(field.body.data).toEqual({ task: { id: 't-1', summary: null } });
      expect(field.body.errors[0]).toMatchObject({
        path: ['task', 'summary'],
        extensions: { code: 'FORBIDDEN' },
      });
    });
  });

  describe('WebSocket gateway (ws adapter)', () => {
    /** Sends one message and resolves with the first message the server sends back. */
    const ask = async (subject: string | undefined, event: string, data: unknown) => {
      const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`, {
        headers: subject ? { 'x-subject': subject } : {},
      });
      try {
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        const reply = new Promise<any>((resolve) =>
          socket.once('message', (raw) => resolve(JSON.parse(String(raw)))),
        );
        socket.send(JSON.stringify({ event, data }));
        return await reply;
      } finally {
        socket.close();
      }
    };

    it('answers an allowed message', async () => {
      expect(await ask('user:alice', 'task.read', { id: 't-1' })).toEqual({
        event: 'task',
        data: { id: 't-1', ...tasks['t-1'] },
      });
    });

    it('denies with a WsException carrying the code and the decision id', async () => {
      const reply = await ask('user:dave', 'task.read', { id: 't-1' });
      expect(reply).toEqual({
        event: 'exception',
        data: {
          status: 'error',
          code: 'FORBIDDEN',
          message: 'Access denied',
          decisionId: expect.any(String),
        },
      });
    });

    it('answers UNAUTHENTICATED, NOT_FOUND, and denies an undecorated handler', async () => {
      expect((await ask(undefined, 'task.read', { id: 't-1' })).data.code).toBe('UNAUTHENTICATED');
      expect((await ask('user:alice', 'task.read', { id: 't-404' })).data.code).toBe('NOT_FOUND');
      expect((await ask('user:alice', 'task.peek', {})).data.code).toBe('FORBIDDEN');
    });
  });

  describe('TCP microservice', () => {
    const send = (pattern: string, payload: unknown) =>
      firstValueFrom(tcp.send(pattern, payload)).catch((error: unknown) => ({ error }));

    it('answers an allowed message', async () => {
      expect(await send('task.read', { id: 't-1', user: { id: 'alice' } })).toEqual({
        id: 't-1',
        ...tasks['t-1'],
      });
    });

    it('denies with an RpcException carrying the code and the decision id', async () => {
      expect(await send('task.read', { id: 't-1', user: { id: 'dave' } })).toEqual({
        error: {
          status: 'error',
          code: 'FORBIDDEN',
          message: 'Access denied',
          decisionId: expect.any(String),
        },
      });
    });

    it('answers UNAUTHENTICATED, NOT_FOUND, and denies an undecorated pattern', async () => {
      expect(await send('task.read', { id: 't-1' })).toMatchObject({
        error: { code: 'UNAUTHENTICATED' },
      });
      expect(await send('task.read', { id: 't-404', user: { id: 'alice' } })).toMatchObject({
        error: { code: 'NOT_FOUND' },
      });
      expect(await send('task.peek', { user: { id: 'alice' } })).toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });
  });

  describe('RouteAuditor', () => {
    it('lists resolvers, gateway handlers and message patterns with neither decorator', () => {
      expect(app.get(RouteAuditor).unprotectedRoutes()).toEqual(
        expect.arrayContaining([
          { method: 'QUERY', path: 'Query.forgotten', handler: 'TaskResolver.forgotten' },
          { method: 'FIELD', path: 'Task.summary', handler: 'TaskResolver.summary' },
          { method: 'WS', path: 'task.peek', handler: 'TaskGateway.peek' },
          { method: 'MESSAGE', path: '"task.peek"', handler: 'TaskMessages.peek' },
        ]),
      );
      const paths = app
        .get(RouteAuditor)
        .unprotectedRoutes()
        .map((r) => r.path);
      expect(paths).not.toContain('Task.audit');
      expect(paths).not.toContain('Query.task');
    });

    it('warns about a connected microservice that does not get the global guard', () => {
      const auditor = app.get(RouteAuditor);
      expect(auditor.auditMicroservices(app)).toEqual([]);
      const unguarded = { getMicroservices: () => [...app.getMicroservices(), bare()] };
      expect(auditor.auditMicroservices(unguarded)).toEqual(['#2 (ServerTCP)']);
    });
  });
});

/** A microservice as `connectMicroservice()` leaves it without `inheritAppConfig`: no guards. */
function bare() {
  return {
    applicationConfig: { getGlobalGuards: () => [] },
    serverInstance: new (class ServerTCP {})(),
  };
}
