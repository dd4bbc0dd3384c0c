import { Reflector } from '@nestjs/core';

/** Options of {@link Authorize}. */
export interface AuthorizeOptions {
  /** Resource type, e.g. `Task`. Defaults to the class's {@link ResourceType}. */
  resource?: string;
  /**
   * Route param holding the resource id.
   * @default 'id'
   */
  idParam?: string;
  /** Reads the resource id from the request, for ids that are not a route param. */
  id?: (request: any) => unknown;
  /** The action is about the collection (`task:create`, `task:list`): no id, no loader. */
  collection?: boolean;
  /**
   * Let the request through when OPA cannot answer (down, slow, broken), logging an error each
   * time. Only for routes where availability matters more than access control; denials still deny.
   * @default false
   */
  failOpen?: boolean;
}

/** The metadata {@link Authorize} stores. */
export interface AuthorizeRule extends AuthorizeOptions {
  action: string;
}

/** Carries an {@link AuthorizeRule} on a handler or a controller. */
export const AuthorizeRule = Reflector.createDecorator<AuthorizeRule>();

/**
 * Requires OPA to permit `action` on the route's resource. On a controller it applies to every
 * handler without its own `@Authorize()`.
 *
 * @example
 * ```ts
 * @Patch(':id')
 * @Authorize('task:update')
 * update(@Param('id') id: string) {}
 *
 * @Post()
 * @Authorize('task:create', { collection: true })
 * create() {}
 * ```
 */
export function Authorize(
  action: string,
  options: AuthorizeOptions = {},
): MethodDecorator & ClassDecorator {
  if (typeof action !== 'string' || action.length === 0) {
    throw new TypeError('@Authorize() needs a non-empty action, e.g. "task:read"');
  }
  return AuthorizeRule({ ...options, action });
}

/**
 * The resource type of every `@Authorize()` in a controller that does not name one.
 *
 * @example
 * ```ts
 * @ResourceType('Task')
 * @Controller('tasks')
 * export class TasksController {}
 * ```
 */
export const ResourceType = Reflector.createDecorator<string>();
