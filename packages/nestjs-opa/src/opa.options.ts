import { OPA_DEFAULTS } from './opa.defaults.js';
import type {
  DecisionCacheOptions,
  OpaCircuitBreakerOptions,
  OpaModuleOptions,
  OpaRetryOptions,
  OpaTlsOptions,
  SubjectResolver,
} from './opa-module-options.interface.js';
import { defaultSubjectResolver } from './subject.resolver.js';

/**
 * The module options with every default applied and checked. The module builds them once and
 * provides them under `OPA_RESOLVED_OPTIONS`; every part of the library reads them from there.
 */
export interface ResolvedOpaOptions {
  /** Base URL without a trailing slash. */
  url: string;
  policyPackage: string;
  timeout: number;
  /** Extra headers, with the bearer token's `authorization` header when `token` was set. */
  headers: Record<string, string>;
  retry: false | Required<OpaRetryOptions>;
  circuitBreaker: false | Required<OpaCircuitBreakerOptions>;
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
  const timeout = options.timeout ?? OPA_DEFAULTS.timeout;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError('OpaModule: timeout must be a positive number of milliseconds');
  }
  const headers = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    url: url.href.replace(/\/$/, ''),
    policyPackage,
    timeout,
    headers,
    retry:
      options.retry === false
        ? false
        : withDefaults<OpaRetryOptions>(OPA_DEFAULTS.retry, options.retry),
    circuitBreaker:
      options.circuitBreaker === false
        ? false
        : withDefaults<OpaCircuitBreakerOptions>(
            OPA_DEFAULTS.circuitBreaker,
            options.circuitBreaker,
          ),
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

/** The defaults overridden by the fields that are set (an `undefined` field keeps its default). */
function withDefaults<T extends object>(defaults: Required<T>, given: T | undefined): Required<T> {
  const result = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {}))
    if (value !== undefined) (result as Record<string, unknown>)[key] = value;
  return result;
}
