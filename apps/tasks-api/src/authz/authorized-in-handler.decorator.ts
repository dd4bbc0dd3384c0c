import { applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from 'nestjs-opa';

/** The action a handler authorizes itself, per item (read back for documentation and audits). */
export const AuthorizedInHandlerRule = Reflector.createDecorator<string>();

/**
 * The route decides authorization itself, per item, for `action` (a list showing only the rows the
 * caller may read): the policy guard lets it through, but the JWT guard still requires a token.
 * `@Public()` here only means "no route-level policy decision"; nestjs-opa has no dedicated marker yet.
 *
 * @example
 * ```ts
 * @Get()
 * @AuthorizedInHandler('task:read')
 * list(@CurrentSubject() subject: SubjectRef) {}
 * ```
 */
export const AuthorizedInHandler = (action: string): MethodDecorator & ClassDecorator =>
  applyDecorators(Public(), AuthorizedInHandlerRule(action));
