import type { SubjectRef } from './authz.types.js';

/** How a decision was answered. */
export type DecisionOutcome = 'permit' | 'deny' | 'error';

/** Where an answer came from: the engine itself, the decision cache, or a call already in flight. */
export type DecisionSource = 'opa' | 'wasm' | 'cache' | 'coalesced';

/**
 * Which question was answered: one action on one resource, one item of a bulk check, or a list
 * filter (its `resource.id` is `null`).
 */
export type DecisionKind = 'point' | 'bulk' | 'filter';

/** One decision, as observers see it. Holds no secrets: no roles, bindings or attributes. */
export interface DecisionEvent {
  kind: DecisionKind;
  subject: SubjectRef;
  action: string;
  resource: { type: string; id: string | null };
  outcome: DecisionOutcome;
  /** Where the answer came from. */
  source: DecisionSource;
  /**
   * Finds the decision in a log: OPA's `decision_id`, or the id the library minted when OPA does
   * not log decisions (always, for `wasm`). Always set on a permit or a deny; on an error only when OPA's error answer
   * carried one (no decision was made).
   */
  decisionId?: string;
  latencyMs: number;
  /** Cache lookup result, present only when the decision cache is on. */
  cache?: 'hit' | 'miss';
  /**
   * What a filter lets through (`kind: 'filter'` only): a filter that lets no row through is a
   * `deny`, any other a `permit`.
   */
  filter?: 'always' | 'never' | 'conditions';
  /** The error's name (`OpaTimeoutError`, ...) when `outcome` is `error`. */
  errorKind?: string;
}

/** A policy bundle of the in-process engine (`engine: 'wasm'`) was activated or refused. */
export interface BundleEvent {
  /** `unreachable`: no bundle could be fetched (the source is down or answers an error). */
  outcome: 'activated' | 'rejected' | 'unreachable';
  /** The revision activated, or (when refused) the revision that keeps serving, if any. */
  revision?: string;
  /** Why the bundle was refused or not fetched. */
  reason?: string;
}

/** State of the circuit breaker in front of OPA. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Receives what the library does, for metrics, traces and audit. Implement the methods you need
 * and register the class with `OpaModule.forRoot({ observers: [MyObserver] })`.
 */
export interface OpaObserver {
  onDecision?(event: DecisionEvent): void;
  onBreakerStateChange?(state: BreakerState): void;
  onBundle?(event: BundleEvent): void;
}

/** Injection token of the registered observers (an array). */
export const OPA_OBSERVERS = Symbol('OPA_OBSERVERS');
