import type { Reflector } from '@nestjs/core';
import { AuthorizeRule } from './authorize.decorator.js';
import { Public } from './public.decorator.js';

/**
 * What a route asks of the guard: nothing (`public`), a decision (`rule`), or a 403 because it
 * says nothing (`none`) or contradicts itself (`ambiguous`, with the reason).
 */
export type RoutePolicy =
  | { kind: 'public' }
  | { kind: 'rule'; rule: AuthorizeRule }
  | { kind: 'none' }
  | { kind: 'ambiguous'; reason: string };

/**
 * Reads a route's decorators, the handler's before the controller's. A handler's own `@Public()`
 * or `@Authorize()` wins over the controller's as a whole, so a class-level `@Public()` never
 * switches off a handler's `@Authorize()`. Contradictions on one target are never settled
 * toward "open": they come back `ambiguous`, which the guard denies and the auditor reports.
 */
export function resolveRoutePolicy(
  reflector: Reflector,
  handler: Target,
  controller: Target,
): RoutePolicy {
  const own = readTarget(reflector, handler, 'handler');
  if (own) return own;
  const inherited = readTarget(reflector, controller, 'controller');
  if (inherited?.kind === 'rule' && inherited.rule.list) {
    // A list route hands the handler a filter instead of deciding; a controller-wide one would
    // let every point handler through without a decision.
    return {
      kind: 'ambiguous',
      reason: '@AuthorizeList() on the controller (it belongs on a list handler)',
    };
  }
  return inherited ?? { kind: 'none' };
}

type Target = Parameters<Reflector['get']>[1];

function readTarget(reflector: Reflector, target: Target, where: string): RoutePolicy | undefined {
  const isPublic = reflector.get(Public, target) === true;
  const rule = reflector.get(AuthorizeRule, target);
  if (isPublic && rule) {
    return { kind: 'ambiguous', reason: `@Public() and @Authorize() on the same ${where}` };
  }
  if (isPublic) return { kind: 'public' };
  return rule ? { kind: 'rule', rule } : undefined;
}
