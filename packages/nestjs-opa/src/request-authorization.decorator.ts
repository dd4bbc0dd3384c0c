import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestAuthorization } from './authz.types.js';
import { readAuthorization } from './contexts/authorization.holder.js';

/**
 * The guard's work for this request: the subject with its roles and bindings, and the decision
 * (point routes) or the filter (`@AuthorizeList()` routes), over HTTP, in GraphQL resolvers, gateway
 * and message handlers. Undefined on `@Public()` routes and GraphQL field resolvers.
 *
 * @example
 * ```ts
 * @Get()
 * @AuthorizeList('task:read')
 * list(@Authorization() authz: RequestAuthorization) {}
 * ```
 */
export const Authorization = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestAuthorization | undefined =>
    readAuthorization(context),
);
