import type { ExecutionContext, HttpException } from '@nestjs/common';
import type { EntryPoint } from './entry-point.interface.js';

/** HTTP (Express, Fastify): `request.user`, route params, the HTTP exception itself. */
export const httpEntryPoint: EntryPoint = {
  type: 'http',
  subjectSource: (context: ExecutionContext) => context.switchToHttp().getRequest(),
  idSource: (context: ExecutionContext) => context.switchToHttp().getRequest().params,
  holder: (context: ExecutionContext) => context.switchToHttp().getRequest(),
  toError: (exception: HttpException) => exception,
};
