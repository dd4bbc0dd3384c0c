import { formatGraphQLError } from '../src/config/graphql.config.js';

describe('formatGraphQLError', () => {
  it('gives a task changed (409) or gone (404) since the decision its own code, without the raw response', () => {
    const raw = {
      statusCode: 409,
      message: 'Task "t-1" changed meanwhile; retry',
      error: 'Conflict',
    };
    expect(
      formatGraphQLError({
        message: raw.message,
        path: ['updateTask'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', status: 409, originalError: raw },
      }),
    ).toEqual({ message: raw.message, path: ['updateTask'], extensions: { code: 'CONFLICT' } });
    expect(
      formatGraphQLError({
        message: 'gone',
        extensions: { code: 'INTERNAL_SERVER_ERROR', status: 404 },
      }).extensions,
    ).toEqual({ code: 'NOT_FOUND' });
    // No verdicts for a page's actions: the resolver's DecisionUnavailableException.
    expect(
      formatGraphQLError({
        message: 'x',
        extensions: { code: 'INTERNAL_SERVER_ERROR', status: 503 },
      }).extensions,
    ).toEqual({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('keeps the code and decision id of authorization errors as they are', () => {
    const denied = {
      message: 'Access denied',
      path: ['task'],
      extensions: { code: 'FORBIDDEN', decisionId: 'd-1' },
    };
    expect(formatGraphQLError(denied)).toEqual(denied);
  });
});
