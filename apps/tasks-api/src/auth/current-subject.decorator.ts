import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedSubject } from './authenticated-subject.js';

/** The authenticated subject of the request (`{ type, id }`), as verified by the JWT guard. */
export const CurrentSubject = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSubject => {
    const user = context.switchToHttp().getRequest<{ user?: AuthenticatedSubject }>().user;
    // Unreachable behind the JWT guard; refuse rather than act for nobody if a route is misconfigured.
    if (!user) throw new UnauthorizedException();
    return user;
  },
);
