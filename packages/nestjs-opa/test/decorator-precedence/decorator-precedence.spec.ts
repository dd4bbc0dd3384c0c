import type { INestApplication } from '@nestjs/common';
import { Authorize, AuthorizeList, RouteAuditor } from '../../src/index.js';
import { createApp, getAs, type Platform } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

describe.each<Platform>(['express', 'fastify'])('decorator precedence (%s)', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(createAppModule(process.env.OPA_URL!), platform);
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, subject?: string) => getAs(app, path, subject);

  it("a handler's @Authorize() wins over the controller's @Public()", async () => {
    await get('/open/t-1').expect(401);
    await get('/open/t-1', 'user:dave').expect(403);
    await get('/open/t-1', 'user:alice').expect(200);
    await get('/open/ping').expect(200);
  });

  it("a handler's @Public() wins over the controller's @Authorize()", async () => {
    await get('/closed/health').expect(200);
    await get('/closed/t-1').expect(401);
    await get('/closed/t-1', 'user:dave').expect(403);
    await get('/closed/t-1', 'user:alice').expect(200);
  });

  it("decides on the handler's @ResourceType(), not the controller's", async () => {
    // bob edits every Task (type-scoped binding): t-1 as a Project is outside his scope.
    await get('/typed/project/t-1', 'user:bob').expect(403);
    // No Project loader: an id unknown as a Task is still decided, not answered 404.
    await get('/typed/project/t-404', 'user:alice').expect(200);
  });

  it('denies @Public() with @Authorize() on one handler, even to an allowed user', async () => {
    const res = await get('/both/t-1').expect(403);
    expect(res.body.id).toBeUndefined();
    await get('/both/t-1', 'user:alice').expect(403);
  });

  it('denies the handlers of a controller with both, except one with its own rule', async () => {
    await get('/contradicting/t-1').expect(403);
    await get('/contradicting/t-1', 'user:alice').expect(403);
    await get('/contradicting/own/t-1').expect(401);
    await get('/contradicting/own/t-1', 'user:alice').expect(200);
  });

  it('denies a point handler under a controller-wide @AuthorizeList()', async () => {
    await get('/listed/t-1', 'user:alice').expect(403);
  });

  it('reports every contradicting route at startup, apart from the undecorated ones', () => {
    const auditor = app.get(RouteAuditor);
    expect(auditor.ambiguousRoutes()).toEqual([
      {
        method: 'GET',
        path: '/both/:id',
        handler: 'ContradictingHandlerController.read',
        reason: '@Public() and @Authorize() on the same handler',
      },
      {
        method: 'GET',
        path: '/contradicting/:id',
        handler: 'ContradictingClassController.read',
        reason: '@Public() and @Authorize() on the same controller',
      },
      {
        method: 'GET',
        path: '/listed/:id',
        handler: 'ClassListController.read',
        reason: '@AuthorizeList() on the controller (it belongs on a list handler)',
      },
    ]);
    expect(auditor.unprotectedRoutes()).toEqual([
      { method: 'GET', path: '/forgotten', handler: 'MiscController.forgotten' },
    ]);
  });
});

describe('one rule per target', () => {
  it('refuses a second @Authorize() or @AuthorizeList() on one handler or controller', () => {
    expect(() => {
      class Twice {
        @Authorize('task:read')
        @AuthorizeList('task:list')
        list() {}
      }
      return Twice;
    }).toThrow('One @Authorize() or @AuthorizeList() per handler or controller (Twice.list)');
    expect(() => {
      @Authorize('task:read')
      @Authorize('task:update')
      class TwiceOnClass {}
      return TwiceOnClass;
    }).toThrow(/\(TwiceOnClass\)/);
  });
});
