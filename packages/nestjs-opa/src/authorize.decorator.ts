import { Reflector } from '@nestjs/core';
import { OpaMessages } from './opa.messages.js';

/** Options of {@link Authorize}. */
export interface AuthorizeOptions {
  /** Resource type, e.g. `Task`. Defaults to the handler's, else the class's {@link ResourceType}. */
  resource?: string;
  /**
   * Where the resource id is: the route param (HTTP), the argument (GraphQL), the payload's field
   * (WebSocket and microservice messages). A GraphQL field resolver decides on its parent's `id`.
   * @default 'id'
   */
  idParam?: string;
  /**
   * Reads the resource id, for ids `idParam` cannot name. It receives the request (HTTP), the
   * arguments (GraphQL) or the message payload (WebSocket, microservice).
   */
  id?: (request: any) => unknown;
  /** The action is about the collection (`task:create`, `task:list`): no id, no loader. */
  collection?: boolean;
  /**
   * Let the request through when OPA cannot answer (down, slow, broken), logging an error each
   * time. Only for routes where availability matters more than access control; denials still deny.
   * @default false
   */
  failOpen?: boolean;
  /**
   * Answer a denial on this route like an unknown id (404, same body, no decision-id header), so
   * a subject cannot learn which ids exist. Overrides the module's `denyAsNotFound`; collection
   * routes keep their 403.
   * @default the module's `denyAsNotFound` (false)
   */
  denyAsNotFound?: boolean;
}

/** The metadata {@link Authorize} and {@link AuthorizeList} store. */
export interface AuthorizeRule extends AuthorizeOptions {
  action: string;
  /** Set by {@link AuthorizeList}: compile a filter instead of deciding on one resource. */
  list?: boolean;
}

/** Carries an {@link AuthorizeRule} on a handler or a controller. */
export const AuthorizeRule = Reflector.createDecorator<AuthorizeRule>();

/**
 * Requires OPA to permit `action` on the route's resource. On a controller it applies to every
 * handler without its own `@Authorize()` or `@Public()`; a handler's own decorator always wins.
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
  return once(AuthorizeRule({ ...options, action: checkedAction(action) }));
}

/** Refuses a second rule on one handler or controller: the later would silently replace it. */
function once(decorate: MethodDecorator & ClassDecorator): MethodDecorator & ClassDecorator {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const carrier: object = descriptor?.value ?? target;
    if (Reflect.hasOwnMetadata(AuthorizeRule.KEY, carrier)) {
      throw new TypeError(`${OpaMessages.duplicateRule} (${describeTarget(target, key)})`);
    }
    return (decorate as (...args: unknown[]) => unknown)(target, key, descriptor);
  }) as MethodDecorator & ClassDecorator;
}

function describeTarget(target: object, key?: string | symbol): string {
  const owner = typeof target === 'function' ? target : target.constructor;
  return key === undefined ? owner.name : `${owner.name}.${String(key)}`;
}

function checkedAction(action: string): string {
  if (typeof action !== 'string' || action.length === 0) {
    throw new TypeError('@Authorize() needs a non-empty action, e.g. "task:read"');
  }
  return action;
}

/**
 * A list route: never a 403, the route returns only the rows the subject may `action`. The guard
 * still requires a subject (401), then compiles the policy into a filter (one OPA call) and leaves
 * it, with the subject's roles and bindings, on the request for the handler (`@Authorization()`).
 * A handler decorator only: on a controller it would let every point handler through undecided,
 * so the guard denies such routes and `RouteAuditor` reports them.
 *
 * @example
 * ```ts
 * @Get()
 * @AuthorizeList('task:read')
 * list(@Authorization() authz: RequestAuthorization) {
 *   return applyResourceFilter(this.tasks.createQueryBuilder('task'), authz.filter!).getMany();
 * }
 * ```
 */
export function AuthorizeList(
  action: string,
  options: Pick<AuthorizeOptions, 'resource'> = {},
): MethodDecorator {
  return once(AuthorizeRule({ ...options, action: checkedAction(action), list: true }));
}

/**
 * The resource type of every `@Authorize()` in a controller that does not name one. On a handler
 * it names that handler's type and wins over the controller's.
 *
 * @example
 * ```ts
 * @ResourceType('Task')
 * @Controller('tasks')
 * export class TasksController {}
 * ```
 */
export const ResourceType = Reflector.createDecorator<string>();
