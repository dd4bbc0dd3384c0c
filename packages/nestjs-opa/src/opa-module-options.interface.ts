import type { ExecutionContext, Type } from '@nestjs/common';
import type { Subject } from './authz.types.js';
import type { OpaObserver } from './opa-observer.interface.js';
import type { AuthzRepository } from './authz.repository.js';
import type { DecisionEngine } from './engines/decision-engine.interface.js';
import type { OpaTransport } from './transports/opa-transport.interface.js';
import type { WasmEngineOptions } from './wasm/wasm-engine.options.js';

/**
 * Reads the subject of a call; `undefined` means nobody is authenticated (401, `UNAUTHENTICATED`).
 * `request` is the HTTP request, the GraphQL context's `req`, the WebSocket client (its `data`
 * when `client.data.user` is set) or the RPC payload; `context` is the call's execution context.
 */
export type SubjectResolver = (
  request: any,
  context: ExecutionContext,
) => Subject | undefined | Promise<Subject | undefined>;

/** Who answers decisions: see {@link OpaModuleOptions.engine}. */
export type OpaEngineOption = 'server' | 'wasm' | Type<DecisionEngine>;

/** Options of {@link OpaModule}. */
export interface OpaModuleOptions {
  /**
   * What answers point (`check`, the guard) and bulk (`checkMany`) decisions:
   * - `'server'`: the OPA server at `url` (`OpaServerEngine`);
   * - `'wasm'`: the Wasm build of the same policy inside this process (`WasmDecisionEngine`;
   *   needs the optional peer `@open-policy-agent/opa-wasm` and `wasm.bundle`);
   * - a class implementing `DecisionEngine`, provided in the module (give it to `forRoot()` or
   *   at the top level of `forRootAsync()`, not from `useFactory`).
   *
   * An engine without `compileFilter` (`'wasm'`) leaves filters (`compileFilter`,
   * `@AuthorizeList()`) to the OPA server at `url`; with `'wasm'` and no `url`, a list route is
   * refused at startup.
   * @default 'server'
   */
  engine?: OpaEngineOption;
  /** The signed Wasm bundle of `engine: 'wasm'`. */
  wasm?: WasmEngineOptions;
  /**
   * Base URL of OPA, e.g. `http://127.0.0.1:8181` for a sidecar. A path prefix is kept.
   * @default 'http://127.0.0.1:8181' (none with `engine: 'wasm'`)
   */
  url?: string;
  /**
   * Rego package holding `decision` and `decisions`, dotted (`authz`, `acme.authz`).
   * @default 'authz'
   */
  policyPackage?: string;
  /**
   * Deadline of one decision, in milliseconds, retries included, from sending to the last byte of
   * the answer. Past it the decision fails (503 in the guard), like Envoy's ext_authz timeout. A
   * wait for a free slot ({@link OpaModuleOptions.bulkhead}) counts, and takes at most half of it.
   * @default 500
   */
  timeout?: number;
  /**
   * Retries of connection failures (never of answers or timeouts), with jittered exponential
   * backoff, inside the deadline. `false` turns them off.
   * @default { maxAttempts: 2, initialDelay: 10, maxDelay: 100 }
   */
  retry?: false | OpaRetryOptions;
  /**
   * Circuit breaker (sampling): opens when more than `threshold` (0 to 1) of the decisions sent to
   * OPA in the last `duration` ms failed, once at least `minimumRps` per second were sent; while
   * open it answers at once (503) without calling OPA, and probes OPA again after `halfOpenAfter`
   * ms. Failures are connection errors, 5xx, garbage and timeouts of calls actually sent; a
   * decision that waited for a slot ({@link OpaModuleOptions.bulkhead}) or found none is not one,
   * nor a 4xx, nor a timeout noticed more than half the deadline late (this process's event loop
   * stalled, so OPA's answer may have been waiting unread). `false` turns it off.
   * @default { threshold: 0.5, duration: 1000, minimumRps: 5, halfOpenAfter: 1000 }
   */
  circuitBreaker?: false | OpaCircuitBreakerOptions;
  /**
   * Opt-in bound on decisions in flight to OPA (`{}` for the defaults of
   * {@link OpaBulkheadOptions}): `maxConcurrent` at once, `maxQueued` more waiting in arrival
   * order, each for at most half of `timeout` (so a call sent has at least the other half). Past
   * either bound a decision fails with {@link OpaOverloadedError} (503) without calling OPA: under
   * overload every caller gets the same short wait or a fast 503 instead of a slow one. The price:
   * a decision that would have been answered late but in time is turned away, so on a box with
   * CPU to spare it loses answers (see the package README). Keep `maxConcurrent` at or below
   * `connections`, or calls wait in the pool with their deadline running.
   * @default false
   */
  bulkhead?: false | OpaBulkheadOptions;
  /**
   * Share one OPA call between identical point decisions in flight at the same time.
   * @default true
   */
  coalesce?: boolean;
  /**
   * Opt-in decision cache (bounded LRU with TTL, keyed by a digest of the whole input). Inject
   * {@link DecisionCache} to invalidate it when bindings change.
   * @default false
   */
  cache?: false | DecisionCacheOptions;
  /**
   * One structured audit line per decision through the Nest logger (`OpaAudit` context).
   * @default true
   */
  auditLog?: boolean;
  /** TLS towards OPA (`https://` URLs): CA to trust, and a client certificate for mutual TLS. */
  tls?: OpaTlsOptions;
  /** Bearer token sent to OPA as `Authorization: Bearer <token>` (OPA's `--authentication=token`). */
  token?: string;
  /** Extra headers sent with every call to OPA. */
  headers?: Record<string, string>;
  /**
   * Answers larger than this are rejected as invalid, so a broken OPA cannot exhaust memory.
   * @default 1048576 (1 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Keep-alive connections the default (undici) transport keeps open to OPA.
   * @default 16
   */
  connections?: number;
  /**
   * Reads the subject of a call. The default reads `.user` of the HTTP request, of the GraphQL
   * context's `req`, of the WebSocket client (`client.data.user` or `client.user`, set by your
   * connection handler) and of the RPC payload: `id` (or `sub`) becomes the id and `type`
   * defaults to `user`. Trust an RPC payload's `user` only on transports only your services reach.
   */
  subjectResolver?: SubjectResolver;
  /**
   * Longest resource id the guard passes to a loader; longer ids answer 400.
   * @default 256
   */
  maxResourceIdLength?: number;
  /**
   * Answer denials of routes about one resource like unknown ids: 404 with the same body and no
   * decision-id header, so a subject cannot tell "exists but forbidden" from "does not exist"
   * (GitHub's convention). Clients lose the 403/404 distinction; find a denial by the decision id
   * of its audit line. Each route may override it with `@Authorize(action, { denyAsNotFound })`.
   * @default false
   */
  denyAsNotFound?: boolean;
  /**
   * Most queries sent in one `decisions` call by `checkMany`. Larger batches are split into
   * even chunks (300 items go as 150 + 150) sent a few at a time in parallel.
   * @default 200
   */
  bulkChunkSize?: number;
  /**
   * Rule of `policyPackage` that `compileFilter` partially evaluates. It must hold exactly when
   * `permit` does and have no default value.
   * @default 'include'
   */
  filterRule?: string;
}

/** Retries of connection failures (see {@link OpaModuleOptions.retry}). */
export interface OpaRetryOptions {
  /** @default 2 */
  maxAttempts?: number;
  /** First backoff, in milliseconds. @default 10 */
  initialDelay?: number;
  /** Longest backoff, in milliseconds. @default 100 */
  maxDelay?: number;
}

/** The circuit breaker in front of OPA (see {@link OpaModuleOptions.circuitBreaker}). */
export interface OpaCircuitBreakerOptions {
  /** Share of failed calls (between 0 and 1, exclusive) that opens the breaker. @default 0.5 */
  threshold?: number;
  /** Window the share is measured over, in milliseconds. @default 1000 */
  duration?: number;
  /** Calls per second below which the breaker never opens. @default 5 */
  minimumRps?: number;
  /** Milliseconds before an open breaker lets one probe through. @default 1000 */
  halfOpenAfter?: number;
}

/** The bound on decisions in flight (see {@link OpaModuleOptions.bulkhead}). */
export interface OpaBulkheadOptions {
  /** Decisions in flight to OPA at once. @default connections (16) */
  maxConcurrent?: number;
  /** Decisions waiting for a slot, beyond those in flight. @default 256 */
  maxQueued?: number;
}

/** Options of the opt-in decision cache. */
export interface DecisionCacheOptions {
  /**
   * Most decisions kept.
   * @default 10000
   */
  max?: number;
  /**
   * How long a permit is reused, in milliseconds.
   * @default 5000
   */
  ttl?: number;
  /**
   * How long a denial is reused, in milliseconds; shorter, so a new grant shows quickly.
   * @default 1000
   */
  denyTtl?: number;
}

/** TLS settings towards OPA, as PEM text. */
export interface OpaTlsOptions {
  /** CA certificate(s) that signed OPA's server certificate. */
  ca?: string | string[];
  /** Client certificate, for OPA's `--authentication=tls`. */
  cert?: string;
  /** Client private key. */
  key?: string;
  /**
   * Refuse servers whose certificate does not verify. Only turn off in local experiments.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/** Options fixed when the module is declared (they shape which providers exist). */
export interface OpaModuleExtras {
  /**
   * Register the module globally, so `OpaService` is injectable everywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Register {@link PolicyGuard} as a global guard: every route then needs `@Authorize()` or
   * `@Public()`. Set to `false` to apply the guard yourself with `@UseGuards(PolicyGuard)`.
   * @default true
   */
  globalGuard?: boolean;
  /**
   * The class that loads roles and bindings from your database. It is resolved from the whole
   * application, so it may also be provided elsewhere under the `AuthzRepository` token.
   */
  repository?: Type<AuthzRepository>;
  /**
   * How calls reach OPA. Defaults to an undici keep-alive pool; `HttpServiceTransport` from
   * `nestjs-opa/axios` uses your `@nestjs/axios` `HttpService` (and its interceptors) instead.
   */
  transport?: Type<OpaTransport>;
  /** See {@link OpaModuleOptions.engine}: a class given here is provided in the module. */
  engine?: OpaEngineOption;
  /** Classes told about every decision and breaker change, for metrics (see `nestjs-opa/prometheus`). */
  observers?: Type<OpaObserver>[];
}

/** Implement this to build options in a class (`OpaModule.forRootAsync({ useClass })`). */
export interface OpaOptionsFactory {
  createOpaOptions(): OpaModuleOptions | Promise<OpaModuleOptions>;
}
