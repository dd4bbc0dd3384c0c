import { Reflector } from '@nestjs/core';
import { Authorize, AuthorizeList } from './authorize.decorator.js';
import { Public } from './public.decorator.js';
import { resolveRoutePolicy } from './route.policy.js';

const reflector = new Reflector();
const policyOf = (controller: new () => object, name: string) =>
  resolveRoutePolicy(
    reflector,
    (controller.prototype as Record<string, () => unknown>)[name]!,
    controller,
  );

describe('resolveRoutePolicy', () => {
  @Public()
  class PublicController {
    @Authorize('task:read')
    guarded() {}
    @AuthorizeList('task:list')
    list() {}
    open() {}
  }

  @Authorize('task:read')
  class GuardedController {
    @Public()
    open() {}
    @Authorize('task:update')
    update() {}
    @Public()
    @Authorize('task:read')
    both() {}
    inherited() {}
  }

  @Public()
  @Authorize('task:read')
  class BothController {
    @Authorize('task:update')
    update() {}
    @Public()
    open() {}
    inherited() {}
  }

  class PlainController {
    nothing() {}
  }

  it('lets the handler decide over the controller, in both directions', () => {
    expect(policyOf(PublicController, 'guarded')).toEqual({
      kind: 'rule',
      rule: { action: 'task:read' },
    });
    expect(policyOf(PublicController, 'list')).toMatchObject({
      kind: 'rule',
      rule: { list: true },
    });
    expect(policyOf(PublicController, 'open')).toEqual({ kind: 'public' });
    expect(policyOf(GuardedController, 'open')).toEqual({ kind: 'public' });
    expect(policyOf(GuardedController, 'update')).toMatchObject({
      rule: { action: 'task:update' },
    });
    expect(policyOf(GuardedController, 'inherited')).toMatchObject({
      rule: { action: 'task:read' },
    });
  });

  it('never settles a contradiction toward open', () => {
    expect(policyOf(GuardedController, 'both')).toMatchObject({ kind: 'ambiguous' });
    expect(policyOf(BothController, 'inherited')).toMatchObject({ kind: 'ambiguous' });
    // A handler's own single decorator is not ambiguous, whatever its controller says.
    expect(policyOf(BothController, 'update')).toMatchObject({ kind: 'rule' });
    expect(policyOf(BothController, 'open')).toEqual({ kind: 'public' });
  });

  it('reports a route with no decorator anywhere', () => {
    expect(policyOf(PlainController, 'nothing')).toEqual({ kind: 'none' });
  });
});
