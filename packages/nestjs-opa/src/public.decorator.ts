import { Reflector } from '@nestjs/core';

/**
 * Opts a route (or a whole controller) out of the policy guard. Every other route needs
 * `@Authorize()`, so forgetting a decorator closes a route instead of opening it.
 *
 * @example
 * ```ts
 * @Get('health')
 * @Public()
 * health() {}
 * ```
 */
export const Public = Reflector.createDecorator<void, true>({ transform: () => true });
