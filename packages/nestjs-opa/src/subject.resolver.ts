import type { Subject } from './authz.types.js';

/**
 * Reads `request.user` as left by Passport: `id` or `sub` is the subject id, `type` defaults to
 * `user`. Anything else (no user, an empty or non-scalar id) is no subject.
 */
export function defaultSubjectResolver(
  request: { user?: unknown } | undefined,
): Subject | undefined {
  const user = request?.user;
  if (typeof user !== 'object' || user === null) return undefined;
  const { id, sub, type } = user as Record<string, unknown>;
  const subjectId = id ?? sub;
  if ((typeof subjectId !== 'string' && typeof subjectId !== 'number') || subjectId === '')
    return undefined;
  if (type !== undefined && typeof type !== 'string') return undefined;
  return { type: type ?? 'user', id: String(subjectId) };
}
