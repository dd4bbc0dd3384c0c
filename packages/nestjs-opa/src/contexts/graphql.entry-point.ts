import { IntrinsicException, type ExecutionContext, type HttpException } from '@nestjs/common';
import { authzErrorCode, type AuthzErrorCode, type EntryPoint } from './entry-point.interface.js';

/**
 * A denial in a GraphQL resolver. graphql-js copies `extensions` of the error a resolver throws
 * into the error at the field's path, so clients read `extensions.code` (`UNAUTHENTICATED`,
 * `FORBIDDEN`, `NOT_FOUND`, `BAD_REQUEST`, `SERVICE_UNAVAILABLE`) and `extensions.decisionId`.
 * An `IntrinsicException`, so Nest does not log every denial with a stack trace; and no import of
 * `graphql`, so the main entry works without it.
 */
export class AuthzGraphQLError extends IntrinsicException {
  readonly extensions: { code: AuthzErrorCode; decisionId?: string };

  constructor(message: string, code: AuthzErrorCode, decisionId?: string) {
    super(message);
    this.name = 'AuthzGraphQLError';
    this.extensions = { code, ...(decisionId ? { decisionId } : {}) };
  }
}

/** The resolver's arguments: `(parent, args, context, info)`. */
export function graphqlArgs(context: ExecutionContext): {
  parent: unknown;
  args: Record<string, unknown> | undefined;
  context: Record<string, any> | undefined;
  info: GraphQLInfo | undefined;
} {
  const [parent, args, gqlContext, info] = context.getArgs();
  return { parent, args, context: gqlContext, info };
}

/** The part of graphql-js' `GraphQLResolveInfo` the guard reads. */
export interface GraphQLInfo {
  fieldName: string;
  parentType: { name: string };
  operation?: { operation: string };
  path?: { prev?: unknown };
}

/** A field of an object type (a `@ResolveField()`), not a root `Query`/`Mutation` field. */
export function isFieldOfObject(info: GraphQLInfo | undefined): boolean {
  return info?.path?.prev !== undefined;
}

/**
 * GraphQL: the context's `req.user` (Apollo's `context: ({ req }) => ({ req })`), the field's
 * arguments, an {@link AuthzGraphQLError} at the field's path.
 */
export const graphqlEntryPoint: EntryPoint = {
  type: 'graphql',
  subjectSource: (context: ExecutionContext) => {
    const gqlContext = graphqlArgs(context).context ?? {};
    return gqlContext.req ?? gqlContext;
  },
  idSource: (context: ExecutionContext) => graphqlArgs(context).args,
  // `info` is one object per field resolution: two root fields of one query never share it.
  holder: (context: ExecutionContext) => graphqlArgs(context).info,
  toError: (exception: HttpException) => {
    const response = exception.getResponse() as { decisionId?: unknown };
    const decisionId = typeof response?.decisionId === 'string' ? response.decisionId : undefined;
    return new AuthzGraphQLError(
      exception.message,
      authzErrorCode(exception.getStatus()),
      decisionId,
    );
  },
};
