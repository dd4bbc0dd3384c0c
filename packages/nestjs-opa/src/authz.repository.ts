import { Inject } from '@nestjs/common';
import type { AuthorizationContext, Subject } from './authz.types.js';

/**
 * Loads what a decision needs from the application's own database: the role catalogue, the
 * subject's role bindings and its attributes. Called on every guarded request, so OPA holds no data.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class TypeOrmAuthzRepository implements AuthzRepository {
 *   async loadContext(subject: Subject): Promise<AuthorizationContext> {
 *     return { roles: await this.roles(), bindings: await this.bindingsOf(subject) };
 *   }
 * }
 * ```
 */
export interface AuthzRepository {
  loadContext(subject: Subject): Promise<AuthorizationContext>;
}

/** Injection token of the application's {@link AuthzRepository}. */
export const AuthzRepository = Symbol('AuthzRepository');

/** Injects the application's {@link AuthzRepository}. */
export const InjectAuthzRepository = (): ParameterDecorator => Inject(AuthzRepository);
