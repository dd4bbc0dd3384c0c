/**
 * Every default of the module options, in one place. `resolveOpaOptions` applies them and the
 * options' JSDoc `@default`s repeat them (opa.defaults.spec.ts checks that the two agree).
 */
export const OPA_DEFAULTS = {
  engine: 'server',
  /** Applied to each field of `wasm.bundle` with `engine: 'wasm'`. */
  wasmBundle: { pollingInterval: 10_000, maxBytes: 32 * 1024 * 1024, timeout: 10_000 },
  url: 'http://127.0.0.1:8181',
  policyPackage: 'authz',
  timeout: 500,
  retry: { maxAttempts: 2, initialDelay: 10, maxDelay: 100 },
  /** More than half of at least 5 calls a second failed in the last second; probe after 1 s. */
  circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 5, halfOpenAfter: 1000 },
  /**
   * Off: on a box with room to spare it turned away decisions OPA would have answered in time
   * (bench/flood.mjs). `bulkhead: {}` turns it on with `bulkheadEntry`.
   */
  bulkhead: false,
  /** `maxConcurrent` defaults to `connections`: more would wait in the pool, deadline running. */
  bulkheadEntry: { maxQueued: 256 },
  coalesce: true,
  cache: false,
  /** Applied to each field of `cache` when it is set. */
  cacheEntry: { max: 10_000, ttl: 5000, denyTtl: 1000 },
  auditLog: true,
  maxResponseBytes: 1024 * 1024,
  connections: 16,
  maxResourceIdLength: 256,
  denyAsNotFound: false,
  bulkChunkSize: 200,
  filterRule: 'include',
  /** Route parameter holding the resource id when `@Authorize()` names none. */
  idParam: 'id',
} as const;
