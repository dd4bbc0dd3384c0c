import { Injectable } from '@nestjs/common';
import type { BulkVerdict, CheckManyRequest, CheckRequest, Decision } from './authz.types.js';
import { DecisionService } from './decision.service.js';
import { readDecisionId } from './decision.parser.js';
import type { CompileFilterRequest, ResourceFilter } from './filters/filter.types.js';
import {
  OpaAdminService,
  type JsonPatchOperation,
  type OpaHealthOptions,
} from './opa-admin.service.js';
import { OpaHttpClient, toDataPath } from './opa-http.client.js';

/** The answer to {@link OpaService.evaluate}. */
export interface EvaluationResult<T = unknown> {
  /** The rule's value; `undefined` when the rule is undefined for this input. */
  result: T | undefined;
  decisionId?: string;
}

/**
 * Decisions for your own code, and OPA's admin calls. Decisions go through the configured
 * decision engine (an OPA server by default), the admin calls to {@link OpaAdminService}.
 * Every failure to get an answer throws an `OpaError`; nothing here ever guesses an allow.
 *
 * @example
 * ```ts
 * const decision = await opa.check({ subject, action: 'task:update', resource, roles, bindings });
 * if (!decision.permit) throw new ForbiddenException();
 * ```
 */
@Injectable()
export class OpaService {
  constructor(
    private readonly decisions: DecisionService,
    private readonly admin: OpaAdminService,
    private readonly http: OpaHttpClient,
  ) {}

  /**
   * Asks the `decision` rule about one action on one resource.
   *
   * @example
   * ```ts
   * await opa.check({
   *   subject: { type: 'user', id: 'carol' },
   *   action: 'task:read',
   *   resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob' } },
   *   roles: { viewer: { permissions: ['task:read'] } },
   *   bindings: [{ subject: { type: 'user', id: 'carol' }, role: 'viewer', scope: null }],
   * }); // { permit: true, allow: true, deny: false, raw: {...} }
   * ```
   */
  check(request: CheckRequest): Promise<Decision> {
    return this.decisions.check(request);
  }

  /**
   * Decides many actions on many resources for one subject through the `decisions` rule, in as
   * few round trips as the chunk size allows. A missing or malformed verdict is a denial for that
   * item; a failed call fails the whole batch.
   *
   * @example
   * ```ts
   * const verdicts = await opa.checkMany({
   *   subject, roles, bindings,
   *   items: rows.flatMap((row) => ['task:read', 'task:update'].map((action) => ({ action, resource: row }))),
   * });
   * ```
   */
  checkMany(request: CheckManyRequest): Promise<BulkVerdict[]> {
    return this.decisions.checkMany(request);
  }

  /**
   * Compiles the policy into a filter over a resource type: OPA partially evaluates the
   * `include` rule with the resource's instance fields unknown (`POST /v1/compile`). The result
   * is every row, no row, or conditions that SQL adapters turn into a WHERE clause. A residual
   * that cannot be represented exactly throws {@link UnsupportedResidualError}: never a wider filter.
   *
   * @example
   * ```ts
   * const filter = await opa.compileFilter({ subject, action: 'task:read', resourceType: 'Task', roles, bindings });
   * ```
   */
  compileFilter(request: CompileFilterRequest): Promise<ResourceFilter> {
    return this.decisions.compileFilter(request);
  }

  /**
   * Evaluates any rule or document under `data` on the OPA server, e.g. `authz/allow` or
   * `authz.decision`. Not a decision of the engine: it is neither observed nor audited.
   *
   * @example
   * ```ts
   * const { result } = await opa.evaluate<boolean>('authz/allow', input);
   * ```
   */
  async evaluate<T = unknown>(path: string, input?: unknown): Promise<EvaluationResult<T>> {
    const response = await this.http.decide({
      method: 'POST',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(input === undefined ? {} : { input }),
    });
    const record = (response ?? {}) as { result?: T };
    return { result: record.result, decisionId: readDecisionId(response) };
  }

  /** Creates or replaces a policy module; see {@link OpaAdminService.putPolicy}. */
  putPolicy(id: string, rego: string): Promise<void> {
    return this.admin.putPolicy(id, rego);
  }

  /** Deletes a policy module; see {@link OpaAdminService.deletePolicy}. */
  deletePolicy(id: string): Promise<void> {
    return this.admin.deletePolicy(id);
  }

  /** Creates or replaces the document at `data/<path>`; see {@link OpaAdminService.putData}. */
  putData(path: string, value: unknown): Promise<void> {
    return this.admin.putData(path, value);
  }

  /** Applies JSON Patch operations at `data/<path>`; see {@link OpaAdminService.patchData}. */
  patchData(path: string, operations: JsonPatchOperation[]): Promise<void> {
    return this.admin.patchData(path, operations);
  }

  /** Deletes the document at `data/<path>`; see {@link OpaAdminService.deleteData}. */
  deleteData(path: string): Promise<void> {
    return this.admin.deleteData(path);
  }

  /** Resolves when OPA's `/health` answers 200; see {@link OpaAdminService.health}. */
  health(options: OpaHealthOptions = {}): Promise<void> {
    return this.admin.health(options);
  }
}
