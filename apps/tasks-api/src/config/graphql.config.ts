import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLFormattedError } from 'graphql';

/**
 * `POST /graphql` on the app's own port: same JWT (the context carries `req`), same database and
 * policies as the REST routes. Guards also run on `@ResolveField()`, so `Task.auditLog` is decided
 * per task (in one bulk call for a list).
 */
export function graphqlOptions(): ApolloDriverConfig {
  return {
    driver: ApolloDriver,
    autoSchemaFile: true,
    sortSchema: true,
    fieldResolverEnhancers: ['guards'],
    context: ({ req }: { req: unknown }) => ({ req }),
    // No stack traces in answers, whatever NODE_ENV says.
    includeStacktraceInErrorResponses: false,
    playground: false,
    formatError: formatGraphQLError,
  };
}

/**
 * Codes Apollo has no mapping for: a task gone (404) or changed (409) since the decision, and no
 * verdicts for a page's actions (503).
 */
const CODES: Record<number, string> = {
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Nest turns an HTTP exception it has no GraphQL code for into `INTERNAL_SERVER_ERROR` with its
 * `status` and raw response: give those a code of their own and keep the raw response out.
 */
export function formatGraphQLError(error: GraphQLFormattedError): GraphQLFormattedError {
  const { status, originalError: _raw, ...extensions } = { ...error.extensions };
  const code = typeof status === 'number' ? CODES[status] : undefined;
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: code ? { ...extensions, code } : extensions,
  };
}
