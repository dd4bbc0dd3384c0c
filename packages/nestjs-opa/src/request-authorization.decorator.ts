import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestAuthorization } from './authz.types.js';

/**
 * The guard's work for this request: the subject with its roles and bindings, and the decision
 * (point routes) or the filter (`@AuthorizeList()` routes). Undefined on `@Public()` routes.
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
    context.switchToHttp().getRequest<{ authorization?: RequestAuthorization }>().authorization,
);
