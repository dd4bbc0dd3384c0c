import { jest } from '@jest/globals';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  Logger,
  NotFoundException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector, type ModuleRef } from '@nestjs/core';
import { Authorize, AuthorizeList, ResourceType } from './authorize.decorator.js';
import type { AuthorizationContext, CheckRequest, Decision } from './authz.types.js';
import { AccessDeniedException, DecisionUnavailableException } from './opa.exceptions.js';
import { OpaTimeoutError } from './opa.errors.js';
import { resolveOpaOptions } from './opa.options.js';
import type { DecisionService } from './decision.service.js';
import { PolicyGuard } from './policy.guard.js';
import { Public } from './public.decorator.js';
import type { ResourceLoader } from './resource-loader.interface.js';
import type { ResourceLoaderRegistry } from './resource-loader.registry.js';

@ResourceType('Task')
class TasksController {
  @Authorize('task:read')
  read() {}

  @Authorize('task:create', { collection: true })
  create() {}

  @Public()
  open() {}

  @AuthorizeList('task:read')
  list() {}

  forgotten() {}

  @Authorize('task:read', { resource: 'Project', idParam: 'projectId' })
  project() {}
}

class UntypedController {
  @Authorize('task:read')
  read() {}
}

/** One handler, inherited by two controllers whose own decorators differ. */
class BaseController {
  show() {}
}
@Public()
class OpenController extends BaseController {}
@ResourceType('Project')
@Authorize('project:read')
class ProjectsController extends BaseController {}

const permit: Decision = { permit: true, allow: true, deny: false, raw: {} };
const context: AuthorizationContext = {
  roles: { viewer: { permissions: ['task:read'] } },
  bindings: [],
  attributes: { banned: false },
};

function setup(
  overrides: { loader?: ResourceLoader; decide?: (r: CheckRequest) => Promise<Decision> } = {},
) {
  const check = jest.fn(overrides.decide ?? (async () => permit));
  const compileFilter = jest.fn(async () => ({ kind: 'never' as const }));
  const loadContext = jest.fn(async () => context);
  const loader = overrides.loader ?? {
    load: jest.fn(async () => ({ created_by: 'bob', status: 'open' })),
  };
  const guard = new PolicyGuard(
    new Reflector(),
    { check, compileFilter } as unknown as DecisionService,
    {
      get: (type: string) => (type === 'Task' ? loader : undefined),
    } as unknown as ResourceLoaderRegistry,
    { get: () => ({ loadContext }) } as unknown as ModuleRef,
    resolveOpaOptions({}),
  );
  const headers: Record<string, string> = {};
  const run = (
    controller: new () => object,
    handler: string,
    request: Record<string, unknown> = { user: { id: 'carol' }, params: { id: 't-2' } },
    type = 'http',
  ) => {
    const executionContext = {
      getType: () => type,
      getClass: () => controller,
      getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
      switchToHttp: () => ({
        getRequest: () => request,
        getResponse: () => ({ header: (name: string, value: string) => (headers[name] = value) }),
      }),
    } as unknown as ExecutionContext;
    return guard.canActivate(executionContext);
  };
  return { run, check, compileFilter, loadContext, loader, headers };
}

describe('PolicyGuard', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('builds the decision from subject, loaded resource and repository context', async () => {
    const { run, check } = setup();
    await expect(run(TasksController, 'read')).resolves.toBe(true);
    expect(check).toHaveBeenCalledWith({
      subject: { type: 'user', id: 'carol', attributes: { banned: false } },
      action: 'task:read',
      resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
      roles: context.roles,
      bindings: context.bindings,
    });
  });

  it('leaves the decision on the request for the handler', async () => {
    const { run } = setup();
    const request: Record<string, unknown> = { user: { id: 'carol' }, params: { id: 't-2' } };
    await run(TasksController, 'read', request);
    expect(request.authorization).toMatchObject({
      subject: { id: 'carol' },
      roles: context.roles,
      resource: { type: 'Task', id: 't-2' },
      decision: permit,
    });
  });

  it('decides a collection-level action without an id or a loader', async () => {
    const { run, check, loader } = setup();
    await run(TasksController, 'create', { user: { id: 'bob' } });
    expect(check.mock.calls[0]![0].resource).toEqual({ type: 'Task', id: null });
    expect(loader.load).not.toHaveBeenCalled();
  });

  it('honours an explicit resource type and id param, without a loader for that type', async () => {
    const { run, check } = setup();
    await run(TasksController, 'project', { user: { id: 'bob' }, params: { projectId: 'p-1' } });
    expect(check.mock.calls[0]![0].resource).toEqual({ type: 'Project', id: 'p-1' });
  });

  it('compiles a filter for a list route and leaves it on the request, without a point check', async () => {
    const { run, check, compileFilter } = setup();
    const request: Record<string, unknown> = { user: { id: 'carol' } };
    await expect(run(TasksController, 'list', request)).resolves.toBe(true);
    expect(check).not.toHaveBeenCalled();
    expect(compileFilter).toHaveBeenCalledWith({
      subject: { type: 'user', id: 'carol', attributes: { banned: false } },
      action: 'task:read',
      resourceType: 'Task',
      roles: context.roles,
      bindings: context.bindings,
    });
    expect(request.authorization).toMatchObject({
      filter: { kind: 'never' },
      roles: context.roles,
    });
  });

  it('answers 401 on a list route without a subject', async () => {
    const { run, compileFilter } = setup();
    await expect(run(TasksController, 'list', {})).rejects.toBeInstanceOf(UnauthorizedException);
    expect(compileFilter).not.toHaveBeenCalled();
  });

  it('lets @Public() routes through without asking OPA', async () => {
    const { run, check } = setup();
    await expect(run(TasksController, 'open', {})).resolves.toBe(true);
    expect(check).not.toHaveBeenCalled();
  });

  it("reads each controller's own decorators for a handler they share, call after call", async () => {
    // The guard keeps what it read per handler and controller: never one controller's for another.
    const { run, check } = setup();
    for (let round = 0; round < 2; round++) {
      await expect(run(OpenController, 'show', {})).resolves.toBe(true);
      await expect(run(ProjectsController, 'show')).resolves.toBe(true);
      await expect(run(BaseController, 'show')).rejects.toBeInstanceOf(AccessDeniedException);
    }
    expect(check).toHaveBeenCalledTimes(2);
    expect(check.mock.calls.map(([request]) => request.resource.type)).toEqual([
      'Project',
      'Project',
    ]);
  });

  it('denies a route with neither decorator, without asking OPA', async () => {
    const { run, check } = setup();
    await expect(run(TasksController, 'forgotten')).rejects.toBeInstanceOf(AccessDeniedException);
    expect(check).not.toHaveBeenCalled();
  });

  it('denies when no resource type can be found', async () => {
    const { run } = setup();
    await expect(run(UntypedController, 'read')).rejects.toBeInstanceOf(ForbiddenException);
  });

  it.each([
    ['no user', {}],
    ['a user without id', { user: { name: 'x' } }],
    ['an empty id', { user: { id: '' } }],
    ['an object id', { user: { id: { $ne: null } } }],
    ['a non-string type', { user: { id: 'a', type: 7 } }],
  ])('answers 401 for %s', async (_label, request) => {
    const { run, check } = setup();
    await expect(
      run(TasksController, 'read', { params: { id: 't-1' }, ...request }),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    expect(check).not.toHaveBeenCalled();
  });

  it.each([
    ['missing', {}],
    ['too long', { id: 'x'.repeat(257) }],
    ['an array', { id: ['a', 'b'] }],
    ['holding a NUL', { id: 't-1\u0000' }],
    ['holding a newline', { id: 't-1\nX-Injected: 1' }],
  ])('answers 400 for an id that is %s', async (_label, params) => {
    const { run } = setup();
    await expect(
      run(TasksController, 'read', { user: { id: 'a' }, params }),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it('answers 404 when the loader does not know the id, before asking OPA', async () => {
    const { run, check, loadContext } = setup({ loader: { load: async () => undefined } });
    await expect(run(TasksController, 'read')).rejects.toBeInstanceOf(NotFoundException);
    expect(check).not.toHaveBeenCalled();
    expect(loadContext).not.toHaveBeenCalled();
  });

  it('passes HTTP exceptions of a loader through', async () => {
    const gone = new HttpException('gone', 410);
    const { run } = setup({ loader: { load: async () => Promise.reject(gone) } });
    await expect(run(TasksController, 'read')).rejects.toBe(gone);
  });

  it('answers 503 when the loader fails', async () => {
    const { run } = setup({ loader: { load: async () => Promise.reject(new Error('db down')) } });
    await expect(run(TasksController, 'read')).rejects.toBeInstanceOf(DecisionUnavailableException);
  });

  it('answers 503 when OPA cannot answer', async () => {
    const { run } = setup({ decide: async () => Promise.reject(new OpaTimeoutError('slow')) });
    await expect(run(TasksController, 'read')).rejects.toBeInstanceOf(DecisionUnavailableException);
  });

  it('answers 403 with the decision id on a denial, and sets the header', async () => {
    const denied = { permit: false, allow: true, deny: true, decisionId: 'd-9', raw: {} };
    const { run, headers } = setup({ decide: async () => denied });
    const error = await run(TasksController, 'read').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as AccessDeniedException).getResponse()).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Access denied',
      decisionId: 'd-9',
    });
    expect(headers['x-authz-decision-id']).toBe('d-9');
  });

  it('denies a context type it does not know with a 403 that names it, asking nobody', async () => {
    const { run, check, loadContext } = setup();
    const error = await run(TasksController, 'read', undefined, 'telegraf').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ForbiddenException);
    expect((error as Error).message).toBe(
      'Access denied: the authorization guard does not know "telegraf" calls (it decides http, graphql, ws and rpc)',
    );
    expect(check).not.toHaveBeenCalled();
    expect(loadContext).not.toHaveBeenCalled();
  });
});
