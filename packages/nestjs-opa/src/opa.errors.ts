import { OpaMessages } from './opa.messages.js';

interface OpaErrorOptions {
  cause?: unknown;
  status?: number;
  decisionId?: string;
}

/**
 * Base class of every failure to get an answer from OPA. A caller that catches it knows no
 * decision was made; the guard turns it into a 503, never an allow.
 */
export class OpaError extends Error {
  /** HTTP status OPA answered with, when it answered at all. */
  readonly status?: number;
  /** OPA's decision id, when the failed answer carried one. */
  readonly decisionId?: string;

  constructor(message: string, options: OpaErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.decisionId = options.decisionId;
  }
}

/** OPA could not be reached: connection refused or reset, DNS failure, TLS failure. */
export class OpaUnavailableError extends OpaError {}

/** OPA did not answer within the configured timeout. */
export class OpaTimeoutError extends OpaUnavailableError {}

/** OPA has been failing: the circuit breaker answers at once without calling it. */
export class OpaCircuitOpenError extends OpaUnavailableError {}

/** `engine: 'wasm'` has no verified policy bundle active yet: no decision can be made. */
export class OpaNotReadyError extends OpaUnavailableError {}

/**
 * The client, not OPA, is overloaded: every slot is busy and the queue is full, or the decision
 * waited its share of the deadline for a slot (OPA was not called), or this process's event loop
 * stalled past the deadline. The circuit breaker never counts it as OPA failing.
 */
export class OpaOverloadedError extends OpaUnavailableError {}

/** OPA answered with a non-2xx status. */
export class OpaResponseError extends OpaError {
  declare readonly status: number;

  constructor(status: number, options: Omit<OpaErrorOptions, 'status'> = {}) {
    super(OpaMessages.badStatus(status), { ...options, status });
  }
}

/** OPA answered 2xx with a body that is not JSON, or is too large to read. */
export class OpaInvalidResponseError extends OpaError {}

/** Thrown for any filter residual that cannot be represented exactly: never a wider filter. */
export class UnsupportedResidualError extends OpaInvalidResponseError {}
