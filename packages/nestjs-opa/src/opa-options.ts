import {
  DEFAULT_BULK_CHUNK_SIZE,
  DEFAULT_CIRCUIT_BREAKER,
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_QUEUED,
  DEFAULT_RETRY,
  DEFAULT_FILTER_RULE,
  DEFAULT_MAX_RESOURCE_ID_LENGTH,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_POLICY_PACKAGE,
  DEFAULT_TIMEOUT_MS,
} from './opa.constants.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';

/** Module options with every default applied. */
export type ResolvedOpaOptions = Required<
  Pick<
    OpaModuleOptions,
    'url' | 'policyPackage' | 'timeout' | 'headers' | 'maxResponseBytes' | 'connections'
  >
> &
  Required<
    Pick<
      OpaModuleOptions,
      'maxResourceIdLength' | 'bulkChunkSize' | 'filterRule' | 'denyAsNotFound'
    >
  > &
  Pick<OpaModuleOptions, 'subjectResolver' | 'tls'> & {
    /** An OPA server is configured (always with `engine: 'server'`). */
    hasServer: boolean;
  };

/** Applies defaults and checks the options once, at startup, with messages that say what to fix. */
export function resolveOpaOptions(options: OpaModuleOptions): ResolvedOpaOptions {
  const url = new URL(options.url ?? 'http://127.0.0.1:8181');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpaModule: url must be http(s), got "${url.protocol}"`);
  }
  const policyPackage = options.policyPackage ?? DEFAULT_POLICY_PACKAGE;
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(policyPackage)) {
    throw new TypeError(`OpaModule: policyPackage "${policyPackage}" is not a Rego package name`);
  }
  if (options.filterRule !== undefined && !/^[A-Za-z_]\w*$/.test(options.filterRule)) {
    throw new TypeError(`OpaModule: filterRule "${options.filterRule}" is not a Rego rule name`);
  }
  if (options.engine !== undefined && options.engine !== 'server' && options.engine !== 'wasm') {
    throw new TypeError(
      `OpaModule: engine must be 'server' or 'wasm', got "${String(options.engine)}"`,
    );
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
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
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    subjectResolver: options.subjectResolver,
    tls: options.tls,
    maxResourceIdLength: options.maxResourceIdLength ?? DEFAULT_MAX_RESOURCE_ID_LENGTH,
    bulkChunkSize: options.bulkChunkSize ?? DEFAULT_BULK_CHUNK_SIZE,
    filterRule: options.filterRule ?? DEFAULT_FILTER_RULE,
    denyAsNotFound: options.denyAsNotFound ?? false,
    hasServer: options.engine !== 'wasm' || options.url !== undefined,
  };
}

type Settings<T> = Required<Exclude<T, false | undefined>>;

/** Retry, circuit breaker and bulkhead settings with defaults applied; `false` when turned off. */
export interface ResilienceSettings {
  retry: false | Settings<OpaModuleOptions['retry']>;
  circuitBreaker: false | Settings<OpaModuleOptions['circuitBreaker']>;
  bulkhead: false | Settings<OpaModuleOptions['bulkhead']>;
}

/** Applies the resilience defaults and checks them at startup. */
export function resolveResilience(options: OpaModuleOptions): ResilienceSettings {
  const breaker = options.circuitBreaker;
  if (breaker && 'consecutiveFailures' in breaker) {
    throw new TypeError(
      'OpaModule: circuitBreaker.consecutiveFailures is gone; the breaker samples failure rates: ' +
        '{ threshold, duration, minimumRps, halfOpenAfter }',
    );
  }
  const circuitBreaker = breaker === false ? false : { ...DEFAULT_CIRCUIT_BREAKER, ...breaker };
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
  const bulkhead =
    options.bulkhead === false
      ? false
      : {
          maxConcurrent: options.connections ?? DEFAULT_CONNECTIONS,
          maxQueued: DEFAULT_MAX_QUEUED,
          ...options.bulkhead,
        };
  if (
    bulkhead &&
    (!(Number.isInteger(bulkhead.maxConcurrent) && bulkhead.maxConcurrent > 0) ||
      !(Number.isInteger(bulkhead.maxQueued) && bulkhead.maxQueued >= 0))
  ) {
    throw new TypeError(
      'OpaModule: bulkhead.maxConcurrent must be a positive integer, maxQueued a whole number',
    );
  }
  const retry = options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry };
  return { retry, circuitBreaker, bulkhead };
}
