import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  CheckRequest,
  Decision,
  ResourceRef,
  RoleBinding,
  RoleCatalogue,
  Subject,
} from './authz.types.js';
import { buildDecisionInput, bulkQueries, subjectInput } from './decision-input.js';
import { parseBulkDecisions, parseDecision, readDecisionId } from './decision-parser.js';
import { DecisionCache } from './decision-cache.js';
import { decisionKey } from './decision-key.js';
import type { CompileFilterRequest, ResourceFilter } from './filters/filter.types.js';
import { parseResidual } from './filters/residual-parser.js';
import { OPA_MODULE_OPTIONS } from './opa.constants.js';
import {
  OpaError,
  OpaInvalidResponseError,
  OpaNotReadyError,
  OpaResponseError,
} from './opa.errors.js';
import { OPA_OBSERVERS, type DecisionEvent, type OpaObserver } from './opa-observer.js';
import { OpaResilience } from './opa-resilience.js';
import { OpaMessages } from './opa.messages.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';
import { resolveOpaOptions, type ResolvedOpaOptions } from './opa-options.js';
import { OpaTransport, type OpaHttpRequest } from './transports/opa-transport.interface.js';
import { WasmDecisionEngine } from './wasm/wasm-decision-engine.js';

/** The answer to {@link OpaService.evaluate}. */
export interface EvaluationResult<T = unknown> {
  /** The rule's value; `undefined` when the rule is undefined for this input. */
  result: T | undefined;
  decisionId?: string;
}

/** What {@link OpaService.checkMany} needs: one subject, many actions on many resources. */
export interface CheckManyRequest {
  subject: Subject;
  roles: RoleCatalogue;
  bindings: RoleBinding[];
  items: Array<{ action: string; resource: ResourceRef }>;
}

/** One answer of {@link OpaService.checkMany}, in the order of the items asked. */
export interface BulkVerdict {
  action: string;
  resource: ResourceRef;
  permit: boolean;
}

/** One JSON Patch operation for {@link OpaService.patchData}. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** What {@link OpaService.health} should also require of OPA. */
export interface OpaHealthOptions {
  /** Require every configured bundle to be activated (`/health?bundles`). */
  bundles?: boolean;
  /** Require every plugin to be OK (`/health?plugins`). */
  plugins?: boolean;
}

/**
 * Talks to OPA's REST API: decisions for the guard and for your own code, and the admin calls.
 * Every failure to get an answer throws an {@link OpaError}; nothing here ever guesses an allow.
 *
 * @example
 * ```ts
 * const decision = await opa.check({ subject, action: 'task:update', resource, roles, bindings });
 * if (!decision.permit) throw new ForbiddenException();
 * ```
 */
@Injectable()
export class OpaService {
  private readonly options: ResolvedOpaOptions;
  private readonly decisionPath: string;
  private readonly decisionsPath: string;
  private readonly coalesce: boolean;
  private readonly inFlight = new Map<
    string,
    { generation: number; decision: Promise<Decision> }
  >();
  private readonly tracer = trace.getTracer('nestjs-opa');
  /** The in-process engine, when `engine: 'wasm'` answers point and bulk decisions. */
  private readonly local?: WasmDecisionEngine;
  private readonly source: 'opa' | 'wasm';

  constructor(
    @Inject(OpaTransport) private readonly transport: OpaTransport,
    @Inject(OPA_MODULE_OPTIONS) options: OpaModuleOptions,
    private readonly resilience: OpaResilience,
    private readonly cache: DecisionCache,
    @Inject(OPA_OBSERVERS) private readonly observers: OpaObserver[],
    @Optional() wasm?: WasmDecisionEngine,
  ) {
    this.options = resolveOpaOptions(options);
    this.local = wasm?.enabled ? wasm : undefined;
    this.source = this.local ? 'wasm' : 'opa';
    this.coalesce = options.coalesce !== false;
    const policy = toDataPath(this.options.policyPackage);
    this.decisionPath = `/v1/data/${policy}/decision`;
    this.decisionsPath = `/v1/data/${policy}/decisions`;
  }

  /**
   * Asks OPA's `decision` rule about one action on one resource.
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
  async check(request: CheckRequest): Promise<Decision> {
    const input = buildDecisionInput(request);
    const started = performance.now();
    const event = (outcome: DecisionEvent['outcome'], source: DecisionEvent['source']) => ({
      subject: { type: input.subject.type, id: input.subject.id },
      action: input.action,
      resource: { type: input.resource.type, id: input.resource.id },
      outcome,
      source,
      latencyMs: performance.now() - started,
      ...(this.cache.enabled
        ? { cache: source === 'cache' ? ('hit' as const) : ('miss' as const) }
        : {}),
    });
    const serialized = JSON.stringify(input);
    const key = this.cache.enabled || this.coalesce ? decisionKey(input, serialized) : undefined;

    const cached = key === undefined ? undefined : this.cache.get(key);
    if (cached) {
      this.emit(() => ({
        ...event(cached.permit ? 'permit' : 'deny', 'cache'),
        decisionId: cached.decisionId,
      }));
      return cached;
    }
    const inFlight = key === undefined || !this.coalesce ? undefined : this.inFlight.get(key);
    // A call started before an invalidation may answer for stale bindings: never join it.
    const shared = inFlight?.generation === this.cache.generation ? inFlight.decision : undefined;
    const pending = shared ?? this.askOpa(input, serialized, key);
    try {
      const decision = await pending;
      this.emit(() => ({
        ...event(decision.permit ? 'permit' : 'deny', shared ? 'coalesced' : this.source),
        decisionId: decision.decisionId,
      }));
      return decision;
    } catch (error) {
      this.emit(() => ({
        ...event('error', shared ? 'coalesced' : this.source),
        errorKind: errorKind(error),
        ...(error instanceof OpaError && error.decisionId ? { decisionId: error.decisionId } : {}),
      }));
      throw error;
    }
  }

  /** One decision call to OPA, traced, shared while in flight and cached when allowed. */
  private askOpa(
    input: ReturnType<typeof buildDecisionInput>,
    serialized: string,
    key: string | undefined,
  ): Promise<Decision> {
    const generation = this.cache.generation;
    const pending = this.tracer.startActiveSpan(
      'opa.decision',
      { attributes: { 'authz.action': input.action, 'authz.resource.type': input.resource.type } },
      async (span) => {
        try {
          // In process: the same parser, cache and events; the decision id is minted below.
          const response = this.local
            ? this.local.decide(serialized)
            : await this.decide({
                method: 'POST',
                path: this.decisionPath,
                body: `{"input":${serialized}}`,
              });
          const decision = withDecisionId(parseDecision(response));
          span.setAttributes({
            'authz.outcome': decision.permit ? 'permit' : 'deny',
            'authz.decision_id': decision.decisionId,
          });
          // Invalidated while in flight: the answer may predate the change, so do not keep it.
          if (key !== undefined && this.cache.generation === generation)
            this.cache.set(key, decision);
          return decision;
        } catch (error) {
          span.setAttribute('authz.outcome', 'error');
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorKind(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
    if (key !== undefined && this.coalesce) {
      const entry = { generation, decision: pending };
      this.inFlight.set(key, entry);
      const forget = () => {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      };
      void pending.then(forget, forget);
    }
    return pending;
  }

  /** Tells the observers; the event is only built when someone listens. */
  private emit(build: () => DecisionEvent): void {
    if (this.observers.length === 0) return;
    const event = build();
    for (const observer of this.observers) {
      try {
        observer.onDecision?.(event);
      } catch {
        // An observer must never change a decision.
      }
    }
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
  async checkMany(request: CheckManyRequest): Promise<BulkVerdict[]> {
    const { subject, roles, bindings, items } = request;
    // Even chunks: 300 items at 200 a chunk go as 150 + 150, so the parallel calls finish together.
    const count = Math.ceil(items.length / this.options.bulkChunkSize);
    const size = Math.ceil(items.length / count);
    const chunks: CheckManyRequest['items'][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));

    const subjectDocument = subjectInput(subject);
    const permits: boolean[][] = [];
    if (this.local) {
      // One chunk per evaluation, yielding to the event loop between chunks: a chunk of 200
      // queries holds the loop about 1 ms (measured, see README), however large the batch.
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const { resources, queries } = bulkQueries(chunk);
        const body = JSON.stringify({
          subject: subjectDocument,
          roles,
          bindings,
          resources,
          queries,
        });
        permits.push(parseBulkDecisions(this.local.decideMany(body), chunk.length));
      }
      return verdicts(items, permits);
    }
    // A few chunks at a time: parallel enough to be quick, bounded so one page cannot flood OPA.
    for (let i = 0; i < chunks.length; i += BULK_CONCURRENCY) {
      const window = chunks.slice(i, i + BULK_CONCURRENCY).map(async (chunk) => {
        const { resources, queries } = bulkQueries(chunk);
        const response = await this.decide({
          method: 'POST',
          path: this.decisionsPath,
          body: JSON.stringify({
            input: { subject: subjectDocument, roles, bindings, resources, queries },
          }),
        });
        return parseBulkDecisions(response, chunk.length);
      });
      permits.push(...(await Promise.all(window)));
    }
    return verdicts(items, permits);
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
  async compileFilter(request: CompileFilterRequest): Promise<ResourceFilter> {
    // Never a wider list: without a server to partially evaluate, no filter at all.
    if (!this.options.hasServer) throw new OpaNotReadyError(OpaMessages.noFilterServer);
    const { resourceType, ...rest } = request;
    const input = buildDecisionInput({ ...rest, resource: { type: resourceType } });
    // The classic endpoint, not the target-specific `/v1/compile/{path}` (OPA >= 1.9): on OPA 1.22
    // it answers this policy in 0.6-1.5 ms of handler time against 8-25 ms, and its raw Rego
    // residual lets parseResidual refuse anything it cannot represent exactly.
    const response = await this.decide({
      method: 'POST',
      path: '/v1/compile',
      body: JSON.stringify({
        query: `data.${this.options.policyPackage}.${this.options.filterRule}`,
        input,
        unknowns: ['input.resource'],
      }),
    });
    return parseResidual(response, { type: resourceType });
  }

  /**
   * Evaluates any rule or document under `data`, e.g. `authz/allow` or `authz.decision`.
   *
   * @example
   * ```ts
   * const { result } = await opa.evaluate<boolean>('authz/allow', input);
   * ```
   */
  async evaluate<T = unknown>(path: string, input?: unknown): Promise<EvaluationResult<T>> {
    const response = await this.decide({
      method: 'POST',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(input === undefined ? {} : { input }),
    });
    const record = (response ?? {}) as { result?: T };
    return { result: record.result, decisionId: readDecisionId(response) };
  }

  /**
   * Creates or replaces a policy module.
   *
   * @example
   * ```ts
   * await opa.putPolicy('extra', 'package authz.custom\n\nallow if input.subject.id == "root"');
   * ```
   */
  async putPolicy(id: string, rego: string): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/v1/policies/${encodeURIComponent(id)}`,
      body: rego,
      contentType: 'text/plain',
    });
  }

  /** Deletes a policy module. @example `await opa.deletePolicy('extra')` */
  async deletePolicy(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/v1/policies/${encodeURIComponent(id)}` });
  }

  /** Creates or replaces the document at `data/<path>`. @example `await opa.putData('flags', { beta: true })` */
  async putData(path: string, value: unknown): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(value),
    });
  }

  /**
   * Applies JSON Patch operations to the document at `data/<path>`.
   *
   * @example
   * ```ts
   * await opa.patchData('flags', [{ op: 'replace', path: '/beta', value: false }]);
   * ```
   */
  async patchData(path: string, operations: JsonPatchOperation[]): Promise<void> {
    await this.call({
      method: 'PATCH',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(operations),
      contentType: 'application/json-patch+json',
    });
  }

  /** Deletes the document at `data/<path>`. @example `await opa.deleteData('flags')` */
  async deleteData(path: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/v1/data/${toDataPath(path)}` });
  }

  /**
   * Resolves when OPA's `/health` answers 200; throws an {@link OpaError} otherwise. With
   * `engine: 'wasm'` it resolves when a verified bundle is active (the engine that decides).
   *
   * @example
   * ```ts
   * await opa.health({ bundles: true });
   * ```
   */
  async health(options: OpaHealthOptions = {}): Promise<void> {
    if (this.local) {
      // The engine that decides must be ready; OPA (filters only) is checked by its own URL.
      if (!this.local.status().ready) throw new OpaNotReadyError(OpaMessages.wasmNotReady);
      return;
    }
    const query = [options.bundles && 'bundles', options.plugins && 'plugins']
      .filter(Boolean)
      .join('&');
    await this.call({ method: 'GET', path: query ? `/health?${query}` : '/health' });
  }

  /** A decision call: under the deadline, the circuit breaker and retries. */
  private decide(request: OpaHttpRequest): Promise<unknown> {
    return this.resilience.execute((signal) => this.call({ ...request, signal }));
  }

  /** Sends a request and returns the parsed JSON body (`undefined` for an empty one). */
  private async call(request: OpaHttpRequest): Promise<unknown> {
    // engine 'wasm' without `url`: no server to ask, never a default address.
    if (!this.options.hasServer) throw new OpaNotReadyError(OpaMessages.noServer);
    const response = await this.transport.send(request);
    const body = parseJson(response.body);
    if (response.status < 200 || response.status > 299) {
      throw new OpaResponseError(response.status, { decisionId: readDecisionId(body) });
    }
    if (body === invalidJson) throw new OpaInvalidResponseError(OpaMessages.invalidBody);
    return body;
  }
}

const invalidJson = Symbol('invalidJson');

function verdicts(items: CheckManyRequest['items'], permits: boolean[][]): BulkVerdict[] {
  const flat = permits.flat();
  return items.map(({ action, resource }, index) => ({
    action,
    resource,
    permit: flat[index] === true,
  }));
}

/**
 * OPA's decision id when OPA logs decisions; otherwise one minted here, which the audit line and
 * the 403 both carry, so every decision can still be found in a log.
 */
function withDecisionId(decision: Decision): Decision & { decisionId: string } {
  return { ...decision, decisionId: decision.decisionId ?? randomUUID() };
}

function errorKind(error: unknown): string {
  return error instanceof OpaError ? error.name : 'Error';
}
const BULK_CONCURRENCY = 4;

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}

/**
 * Turns `authz.decision`, `data.authz.decision` or `authz/decision` into the URL path `authz/decision`,
 * refusing segments that could escape the `data` tree.
 */
export function toDataPath(path: string): string {
  const segments = path.replace(/^\/?(data[./])?/, '').split(/[./]/);
  if (segments.some((segment) => !/^[\w-]+$/.test(segment))) {
    throw new TypeError(`Invalid OPA data path: "${path}"`);
  }
  return segments.join('/');
}
