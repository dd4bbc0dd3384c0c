import type { ExecutionContext } from '@nestjs/common';
import type { EntryPoint } from './entry-point.interface.js';
import { graphqlEntryPoint } from './graphql.entry-point.js';
import { httpEntryPoint } from './http.entry-point.js';
import { rpcEntryPoint } from './rpc.entry-point.js';
import { wsEntryPoint } from './ws.entry-point.js';

const entryPoints: Record<string, EntryPoint> = {
  http: httpEntryPoint,
  graphql: graphqlEntryPoint,
  ws: wsEntryPoint,
  rpc: rpcEntryPoint,
};

/** The entry point of a call, or `undefined` for a context type the guard does not know. */
export function entryPointOf(context: ExecutionContext): EntryPoint | undefined {
  return Object.hasOwn(entryPoints, context.getType()) ? entryPoints[context.getType()] : undefined;
}

export { AuthzGraphQLError } from './graphql.entry-point.js';
export type { AuthzErrorCode, EntryPoint } from './entry-point.interface.js';
