import type { ExecutionContext } from '@nestjs/common';
import type { RequestAuthorization } from '../authz.types.js';
import { AUTHORIZATION } from './entry-point.interface.js';
import { entryPointOf } from './index.js';

/**
 * Leaves the guard's work where `@Authorization()` finds it: `request.authorization` over HTTP
 * (unchanged for code that reads it directly), else a symbol on the call's own object (the
 * GraphQL field's `info`, the WebSocket message, the RPC context), never on a shared one.
 */
export function leaveAuthorization(
  context: ExecutionContext,
  authorization: RequestAuthorization,
): void {
  const holder = entryPointOf(context)?.holder(context) as Record<PropertyKey, unknown> | undefined;
  if (!holder) return;
  if (context.getType() === 'http') holder.authorization = authorization;
  else Object.defineProperty(holder, AUTHORIZATION, { value: authorization, configurable: true });
}

/** What {@link leaveAuthorization} left for this call, if anything. */
export function readAuthorization(context: ExecutionContext): RequestAuthorization | undefined {
  const holder = entryPointOf(context)?.holder(context) as Record<PropertyKey, unknown> | undefined;
  if (!holder) return undefined;
  const value = context.getType() === 'http' ? holder.authorization : holder[AUTHORIZATION];
  return value as RequestAuthorization | undefined;
}
