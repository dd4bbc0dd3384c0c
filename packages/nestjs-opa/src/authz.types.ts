import type { ResourceFilter } from './filters/filter.types.js';

/**
 * The shapes of an authorization decision, as described in the project's authorization model.
 * They are the contract between the library, the Rego engine and the application's data.
 */

/** `user` for people, `token` for API tokens (a CI bot, say). A binding matches only the same type. */
export type SubjectType = 'user' | 'token' | (string & NonNullable<unknown>);

/** A reference to a principal, as it appears in a role binding. */
export interface SubjectRef {
  type: SubjectType;
  id: string;
}

/** The principal a decision is made for. */
export interface Subject extends SubjectRef {
  /** Attributes custom rules may read, such as `banned`. */
  attributes?: Record<string, unknown>;
}

/** The resource a decision concerns. */
export interface ResourceRef {
  /** Resource type, e.g. `Task`. */
  type: string;
  /** Instance id; absent or `null` for a collection-level decision (`task:create`, `task:list`). */
  id?: string | null;
  /** Fields custom rules may read (`created_by`, `status`, ...). `type` and `id` win over these. */
  attributes?: Record<string, unknown>;
}

/** Where a role binding applies: everywhere (`null`), a whole type, or one instance. */
export interface BindingScope {
  type: string;
  id?: string | null;
}

/** A role granted to a subject, optionally scoped. */
export interface RoleBinding {
  subject: SubjectRef;
  role: string;
  /** `null` or absent: global. `{ type }`: every resource of that type. `{ type, id }`: one instance. */
  scope?: BindingScope | null;
}

/** A role's definition in the catalogue. */
export interface RoleDefinition {
  /** Actions the role grants: exact (`task:read`), prefix (`task:*`) or everything (`*`). */
  permissions: string[];
}

/** The role catalogue, keyed by role name. */
export type RoleCatalogue = Record<string, RoleDefinition>;

/** What the application knows about a subject's rights, loaded fresh for every decision. */
export interface AuthorizationContext {
  roles: RoleCatalogue;
  bindings: RoleBinding[];
  /** The subject's attributes, merged into `input.subject.attributes`. */
  attributes?: Record<string, unknown>;
}

/** Everything a point check needs. */
export interface CheckRequest {
  subject: Subject;
  action: string;
  resource: ResourceRef;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
}

/** What a bulk check needs: one subject, many actions on many resources. */
export interface CheckManyRequest {
  subject: Subject;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
  items: Array<{ action: string; resource: ResourceRef }>;
}

/** One answer of a bulk check, in the order of the items asked. */
export interface BulkVerdict {
  action: string;
  resource: ResourceRef;
  permit: boolean;
  /**
   * Finds this verdict in a log: the id OPA gave the bulk call that answered it, else the one the
   * library minted for the batch and wrote in its audit lines.
   */
  decisionId?: string;
}

/** The document sent to OPA as `input`. */
export interface DecisionInput {
  subject: { type: string; id: string; attributes: Record<string, unknown> };
  action: string;
  resource: Record<string, unknown> & { type: string; id: string | null };
  roles: RoleCatalogue;
  bindings: RoleBinding[];
}

/** OPA's answer to a point check. Anything missing or malformed in the answer reads as `false`. */
export interface Decision {
  /** The bottom line: `allow && !deny`. Gate on this. */
  permit: boolean;
  /** A grant applied (RBAC or a custom allow rule), before vetoes. */
  allow: boolean;
  /** A custom deny rule vetoed the request. */
  deny: boolean;
  /**
   * Finds this decision in a log: OPA's `decision_id` when OPA logs decisions, otherwise an id
   * `OpaService` minted and wrote in its audit line (`OpaAudit`). Always set by `OpaService.check()`.
   */
  decisionId?: string;
  /** The `result` document exactly as OPA returned it, for logging. */
  raw: unknown;
}

/** What the guard leaves on the request for the handler (`request.authorization`). */
export interface RequestAuthorization {
  /** The subject, with the attributes the repository returned. */
  subject: Subject;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
  /** The resource decided on (point routes). */
  resource?: ResourceRef;
  /** OPA's decision (point routes; absent when a fail-open route went through without one). */
  decision?: Decision;
  /** The rows the subject may act on (`@AuthorizeList()` routes). */
  filter?: ResourceFilter;
}
