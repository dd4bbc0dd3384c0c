import type { RoleBinding, RoleCatalogue, Subject } from '../authz.types.js';

/** A literal a field is compared with. */
export type FilterValue = string | number | boolean | null;

/**
 * One comparison on a resource field. Semantics are Rego's on a row whose every field is present
 * (a SQL `NULL` is JSON `null`), which the adapters reproduce in SQL:
 * - `eq` / `ne`: equal / not equal; `ne 'x'` matches `null`, `eq null` is `IS NULL`;
 * - `lt` / `lte` match `null` too (Rego orders `null` first), `gt` / `gte` never do;
 * - `in` / `nin`: member / not a member of `value` (an array); `nin` matches `null` unless listed.
 */
export interface FieldCondition {
  field: string;
  operator: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'nin';
  value: FilterValue | FilterValue[];
}

/**
 * Which rows of a resource type a subject may act on, compiled from the policy:
 * every row, no row, or the rows matching any of `anyOf` (each an AND of conditions).
 */
export type ResourceFilter =
  { kind: 'always' } | { kind: 'never' } | { kind: 'conditions'; anyOf: FieldCondition[][] };

/** What {@link OpaService.compileFilter} needs. */
export interface CompileFilterRequest {
  subject: Subject;
  action: string;
  resourceType: string;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
}
