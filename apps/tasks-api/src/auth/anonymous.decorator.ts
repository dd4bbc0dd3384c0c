import { Reflector } from '@nestjs/core';

/**
 * Lets a route answer without a JWT (health checks). Distinct from nestjs-opa's `@Public()`, which
 * only skips the policy decision: a route must carry both to be reachable anonymously.
 */
export const Anonymous = Reflector.createDecorator<void, true>({ transform: () => true });
