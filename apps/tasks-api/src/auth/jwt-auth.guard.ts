import { Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthzGraphQLError } from 'nestjs-opa';
import { Anonymous } from './anonymous.decorator.js';

/** The one message for every authentication failure: which check failed is not the client's business. */
export const INVALID_TOKEN_MESSAGE = 'A valid bearer token is required';

/**
 * Global authentication guard, registered before the policy guard: a request without a valid JWT
 * is answered 401 before any data is loaded or OPA is asked. Only `@Anonymous()` routes skip it.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride(Anonymous, [context.getHandler(), context.getClass()])) {
      return true;
    }
    // A GraphQL field of an object (Task.auditLog): its root field already verified the token.
    if (context.getType<string>() === 'graphql' && isNestedField(context)) {
      return this.getRequest(context).user !== undefined;
    }
    return super.canActivate(context);
  }

  /** Passport reads the HTTP request; a GraphQL resolver finds it in its context (`req`). */
  override getRequest(context: ExecutionContext) {
    if (context.getType<string>() === 'graphql') return context.getArgByIndex(2)?.req ?? {};
    return context.switchToHttp().getRequest();
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error || !user) {
      if (context.getType<string>() === 'graphql') {
        throw new AuthzGraphQLError(INVALID_TOKEN_MESSAGE, 'UNAUTHENTICATED');
      }
      context
        .switchToHttp()
        .getResponse<{ setHeader?: (name: string, value: string) => void }>()
        .setHeader?.('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new UnauthorizedException(INVALID_TOKEN_MESSAGE);
    }
    return user;
  }
}

function isNestedField(context: ExecutionContext): boolean {
  return (
    context.getArgByIndex<{ path?: { prev?: unknown } } | undefined>(3)?.path?.prev !== undefined
  );
}
