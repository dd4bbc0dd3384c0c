/** Injection token of the resolved module options. */
export const OPA_MODULE_OPTIONS = Symbol('OPA_MODULE_OPTIONS');

export const DEFAULT_POLICY_PACKAGE = 'authz';
export const DEFAULT_TIMEOUT_MS = 500;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_ID_PARAM = 'id';
export const DEFAULT_MAX_RESOURCE_ID_LENGTH = 256;
/** Response header carrying OPA's decision id, so a user's report can be traced to OPA's logs. */
export const DECISION_ID_HEADER = 'x-authz-decision-id';
/** Queries per `decisions` call; bigger bulk checks are split. */
export const DEFAULT_BULK_CHUNK_SIZE = 200;
/** Rule partially evaluated for list filters; it must have no default (see policies/README.md). */
export const DEFAULT_FILTER_RULE = 'include';
/**
 * The circuit breaker opens when more than half of the calls sent in the last second failed, once
 * there were at least 5 of them, and probes OPA again after 1 s.
 */
export const DEFAULT_CIRCUIT_BREAKER = {
  threshold: 0.5,
  duration: 1000,
  minimumRps: 5,
  halfOpenAfter: 1000,
} as const;
export const DEFAULT_RETRY = { maxAttempts: 2, initialDelay: 10, maxDelay: 100 } as const;
/** Keep-alive connections of the undici pool, and decisions in flight at once by default. */
export const DEFAULT_CONNECTIONS = 16;
/** Decisions waiting for a slot of the bulkhead, beyond those in flight. */
export const DEFAULT_MAX_QUEUED = 256;
