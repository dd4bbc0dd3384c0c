import type { ExecutionContext, HttpException } from '@nestjs/common';
import { errorPayload, objectOrUndefined, type EntryPoint } from './entry-point.interface.js';

/**
 * Microservices (`@MessagePattern()`, `@EventPattern()`): the payload's `user` (set it from
 * message metadata only on transports you trust, or pass `subjectResolver`); the payload's id
 * field; an `RpcException` whose body is `{ status: 'error', code, message, decisionId? }`.
 */
export const rpcEntryPoint: EntryPoint = {
  type: 'rpc',
  subjectSource: (context: ExecutionContext) =>
    objectOrUndefined(context.switchToRpc().getData()) ?? {},
  idSource: (context: ExecutionContext) => objectOrUndefined(context.switchToRpc().getData()),
  holder: (context: ExecutionContext) => objectOrUndefined(context.switchToRpc().getContext()),
  toError: async (exception: HttpException) => {
    const { RpcException } = await import('@nestjs/microservices');
    return new RpcException(errorPayload(exception));
  },
};
