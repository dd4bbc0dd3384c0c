import type { ExecutionContext, HttpException } from '@nestjs/common';
import { errorPayload, objectOrUndefined, type EntryPoint } from './entry-point.interface.js';

/**
 * WebSocket gateways: the subject your connection handler authenticated, as `client.data.user`
 * (Socket.IO's convention) or `client.user` (the `ws` adapter); the message payload's id field;
 * a `WsException` whose body is `{ status: 'error', code, message, decisionId? }`.
 */
export const wsEntryPoint: EntryPoint = {
  type: 'ws',
  subjectSource: (context: ExecutionContext) => {
    const client = context.switchToWs().getClient<Record<string, any>>();
    return client.data?.user !== undefined ? client.data : client;
  },
  idSource: (context: ExecutionContext) => objectOrUndefined(context.switchToWs().getData()),
  holder: (context: ExecutionContext) => objectOrUndefined(context.switchToWs().getData()),
  // Loaded only here: an application with a gateway has @nestjs/websockets installed.
  toError: async (exception: HttpException) => {
    const { WsException } = await import('@nestjs/websockets');
    return new WsException(errorPayload(exception));
  },
};
