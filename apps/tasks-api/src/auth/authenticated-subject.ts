import type { SubjectRef } from 'nestjs-opa';

/** What the JWT strategy leaves on `request.user`; nestjs-opa's default resolver reads it as is. */
export interface AuthenticatedSubject extends SubjectRef {
  type: 'user' | 'token';
}
