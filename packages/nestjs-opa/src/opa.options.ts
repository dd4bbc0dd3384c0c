import { OPA_DEFAULTS } from './opa.defaults.js';
import type {
  DecisionCacheOptions,
  OpaBulkheadOptions,
  OpaCircuitBreakerOptions,
  OpaEngineOption,
  OpaModuleOptions,
  OpaRetryOptions,
  OpaTlsOptions,
  SubjectResolver,
} from './opa-module-options.interface.js';
import { defaultSubjectResolver } from './subject.resolver.js';
import { OpaMessages } from './opa.messages.js';
import type { WasmBundleOptions } from './wasm/wasm-engine.options.js';

/** `wasm.bundle` with its defaults applied. */
export type ResolvedWasmBundle = Required<Omit<WasmBundleOptions, 'file' | 'url' | 'keyId'>> &
  Pick<WasmBundleOptions, 'file' | 'url' | 'keyId'>;

/**
 * The module options with every default applied and checked. The module builds them once and
 * provides them under `OPA_RESOLVED_OPTIONS`; every part of the library reads them from there.
 */
export interface ResolvedOpaOptions {
  engine: OpaEngineOption;
  /** The checked bundle source of `engine: 'wasm'`; unset with any other engine. */
  wasmBundle?: ResolvedWasmBundle;
  /** Base URL without a trailing slash. */
  url: string;
  /** An OPA server is configured: always, unless `engine: 'wasm'` without `url`. */
  hasServer: boolean;
  policyPackage: string;
  timeout: number;
  /** Extra headers, with the bearer token's `authorization` header when `token` was set. */
  headers: Record<string, string>;
  retry: false | Required<OpaRetryOptions>;
  circuitBreaker: false | Required<OpaCircuitBreakerOptions>;
  bulkhead: false | Required<OpaBulkheadOptions>;
  coalesce: boolean;
  cache: false | Required<DecisionCacheOptions>;
  auditLog: boolean;
  tls?: OpaTlsOptions;
  maxResponseBytes: number;
  connections: number;
  subjectResolver: SubjectResolver;
  maxResourceIdLength: number;
  denyAsNotFound: boolean;
  bulkChunkSize: number;
  filterRule: string;
}

/** Applies defaults and checks the options, with messages that say what to fix. */
export function resolveOpaOptions(options: OpaModuleOptions): ResolvedOpaOptions {
  const url = new URL(options.url ?? OPA_DEFAULTS.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpaModule: url must be http(s), got "${url.protocol}"`);
  }
  const policyPackage = options.policyPackage ?? OPA_DEFAULTS.policyPackage;
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(policyPackage)) {
    throw new TypeError(`OpaModule: policyPackage "${policyPackage}" is not a Rego package name`);
  }
  if (options.filterRule !== undefined && !/^[A-Za-z_]\w*$/.test(options.filterRule)) {
    throw new TypeError(`OpaModule: filterRule "${options.filterRule}" is not a Rego rule name`);
  }
  const engine = options.engine ?? OPA_DEFAULTS.engine;
  if (engine !== 'server' && engine !== 'wasm' && typeof engine !== 'function') {
    throw new TypeError(
      `OpaModule: engine must be 'server', 'wasm' or a DecisionEngine class, got "${String(engine)}"`,
    );
  }
  const timeout = options.timeout ?? OPA_DEFAULTS.timeout;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError('OpaModule: timeout must be a positive number of milliseconds');
  }
  const headers = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    engine,
    ...(engine === 'wasm' ? { wasmBundle: resolveWasmBundle(options) } : {}),
    url: url.href.replace(/\/$/, ''),
    hasServer: engine !== 'wasm' || options.url !== undefined,
    policyPackage,
    timeout,
    headers,
    ...resolveResilience(options),
    coalesce: options.coalesce ?? OPA_DEFAULTS.coalesce,
    cache: options.cache
      ? withDefaults<DecisionCacheOptions>(OPA_DEFAULTS.cacheEntry, options.cache)
      : OPA_DEFAULTS.cache,
    auditLog: options.auditLog ?? OPA_DEFAULTS.auditLog,
    tls: options.tls,
    maxResponseBytes: options.maxResponseBytes ?? OPA_DEFAULTS.maxResponseBytes,
    connections: options.connections ?? OPA_DEFAULTS.connections,
    subjectResolver: options.subjectResolver ?? defaultSubjectResolver,
    maxResourceIdLength: options.maxResourceIdLength ?? OPA_DEFAULTS.maxResourceIdLength,
    denyAsNotFound: options.denyAsNotFound ?? OPA_DEFAULTS.denyAsNotFound,
    bulkChunkSize: options.bulkChunkSize ?? OPA_DEFAULTS.bulkChunkSize,
    filterRule: options.filterRule ?? OPA_DEFAULTS.filterRule,
  };
}

/** Checks `wasm.bundle`: one source, a public key (unsigned bundles are never used). */
function resolveWasmBundle(options: OpaModuleOptions): ResolvedWasmBundle {
  const bundle = options.wasm?.bundle;
  if (!bundle || (bundle.file === undefined) === (bundle.url === undefined)) {
    throw new TypeError(OpaMessages.wasmBundleSource);
  }
  if (typeof bundle.publicKey !== 'string' || bundle.publicKey.trim() === '') {
    throw new TypeError(OpaMessages.wasmPublicKey);
  }
  // An `undefined` field keeps its default.
  const given = Object.entries(bundle).filter(([, value]) => value !== undefined);
  return {
    ...OPA_DEFAULTS.wasmBundle,
    headers: {},
    ...Object.fromEntries(given),
  } as ResolvedWasmBundle;
}

/** Retry, circuit breaker and bulkhead settings with defaults applied; `false` when turned off. */
export type ResilienceSettings = Pick<ResolvedOpaOptions, 'retry' | 'circuitBreaker' | 'bulkhead'>;

/** Applies the resilience defaults and checks them (part of {@link resolveOpaOptions}). */
export function resolveResilience(options: OpaModuleOptions): ResilienceSettings {
  const breaker = options.circuitBreaker;
  if (breaker && 'consecutiveFailures' in breaker) {
    throw new TypeError(
      'OpaModule: circuitBreaker.consecutiveFailures is gone; the breaker samples failure rates: ' +
        '{ threshold, duration, minimumRps, halfOpenAfter }',
    );
  }
  const circuitBreaker =
    breaker === false
      ? false
      : withDefaults<OpaCircuitBreakerOptions>(OPA_DEFAULTS.circuitBreaker, breaker);
  if (circuitBreaker) {
    const { threshold, duration, minimumRps, halfOpenAfter } = circuitBreaker;
    if (!(threshold > 0 && threshold < 1)) {
      throw new TypeError(
        'OpaModule: circuitBreaker.threshold must be between 0 and 1 (exclusive)',
      );
    }
    if (!(duration > 0 && minimumRps > 0 && halfOpenAfter >= 0)) {
      throw new TypeError(
        'OpaModule: circuitBreaker.duration and minimumRps must be positive, halfOpenAfter not negative',
      );
    }
  }
  const bulkhead = options.bulkhead
    ? withDefaults<OpaBulkheadOptions>(
        {
          maxConcurrent: options.connections ?? OPA_DEFAULTS.connections,
          ...OPA_DEFAULTS.bulkheadEntry,
        },
        options.bulkhead,
      )
    : OPA_DEFAULTS.bulkhead;
  if (
    bulkhead &&
    (!(Number.isInteger(bulkhead.maxConcurrent) && bulkhead.maxConcurrent > 0) ||
      !(Number.isInteger(bulkhead.maxQueued) && bulkhead.maxQueued >= 0))
  ) {
    throw new TypeError(
      'OpaModule: bulkhead.maxConcurrent must be a positive integer, maxQueued a whole number',
    );
  }
  const retry =
    options.retry === false
      ? false
      : withDefaults<OpaRetryOptions>(OPA_DEFAULTS.retry, options.retry);
  return { retry, circuitBreaker, bulkhead };
}

/** The defaults overridden by the fields that are set (an `undefined` field keeps its default). */
function withDefaults<T extends object>(defaults: Required<T>, given: T | undefined): Required<T> {
  const result = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {}))
    if (value !== undefined) (result as Record<string, unknown>)[key] = value;
  return result;
}
