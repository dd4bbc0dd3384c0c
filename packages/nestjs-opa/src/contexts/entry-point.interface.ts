import type { ExecutionContext, HttpException } from '@nestjs/common';

/** The stable codes every transport's error carries, one per outcome of the guard. */
export type AuthzErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_REQUEST' | 'SERVICE_UNAVAILABLE';

/**
 * What the guard needs to know about one kind of Nest entry point (HTTP, GraphQL, WebSocket,
 * microservice): where the subject and the resource id are, where to leave the guard's work for
 * the handler, and the error the transport expects.
 */
export interface EntryPoint {
  readonly type: string;
  /** What the subject resolver reads (its `.user` by default). */
  subjectSource(context: ExecutionContext): Record<string, any>;
  /** Where the resource id is read: route params, GraphQL arguments, the message payload. */
  idSource(context: ExecutionContext): Record<string, unknown> | undefined;
  /** A per-call object the guard leaves `authorization` on; `undefined` when there is none. */
  holder(context: ExecutionContext): object | undefined;
  /** The transport's own error for a guard outcome (an HTTP exception of this library). */
  toError(exception: HttpException): Error | Promise<Error>;
}

/** The code of a guard outcome, from the HTTP status the library's exceptions carry. */
export function authzErrorCode(status: number): AuthzErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 400:
      return 'BAD_REQUEST';
    default:
      return 'SERVICE_UNAVAILABLE';
  }
}

/** The body WebSocket and RPC clients receive: `{ status: 'error', code, message, decisionId? }`. */
export function errorPayload(exception: HttpException): Record<string, unknown> {
  const response = exception.getResponse();
  const decisionId =
    typeof response === 'object' && response !== null
      ? (response as { decisionId?: unknown }).decisionId
      : undefined;
  return {
    status: 'error',
    code: authzErrorCode(exception.getStatus()),
    message: exception.message,
    ...(typeof decisionId === 'string' ? { decisionId } : {}),
  };
}

/** Where an object keeps the guard's work when the transport has no request object. */
export const AUTHORIZATION = Symbol.for('nestjs-opa.authorization');

export function objectOrUndefined(value: unknown): Record<string, any> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, any>) : undefined;
}
