import type { CheckManyRequest, Decision, DecisionInput } from '../authz.types.js';
import type { DecisionSource } from '../opa-observer.interface.js';
import type { ResourceFilter } from '../filters/filter.types.js';

/**
 * How an engine answered, for the observers and the audit line. The engine may leave the
 * defaults (`source: 'opa'`, no cache) or set them before its answer settles, errors included.
 */
export interface DecisionNote {
  source: DecisionSource;
  /** Set only by an engine with a cache, and only when the cache is on. */
  cache?: 'hit' | 'miss';
}

/** An engine's answer to a bulk check: one permit per item, in order. */
export interface BulkDecision {
  permits: boolean[];
  /** Per item, the engine's id of the call that answered it, when it has one. */
  decisionIds?: Array<string | undefined>;
}

/**
 * Answers decisions: the one seam between the library's entry points (guard, `OpaService`,
 * future GraphQL/WebSocket/RPC contexts) and whatever evaluates the policy. `DecisionService` is
 * its only caller: it builds the inputs, and reports every decision to the observers, spans and
 * audit line, so an engine only evaluates. Every failure to answer throws (an `OpaError`);
 * nothing here may guess an allow. The default engine is `OpaServerEngine`; provide another with
 * `OpaModule.forRoot({ engine: MyEngine })`.
 */
export interface DecisionEngine {
  /** The `decision` rule for one input document; a partial answer is a denial. */
  decide(input: DecisionInput, note: DecisionNote): Promise<Decision>;
  /** The `decisions` rule for many items of one subject; a missing verdict is a denial. */
  decideMany(request: CheckManyRequest, note: DecisionNote): Promise<BulkDecision>;
  /**
   * Partially evaluates the filter rule over `input.resource` (its `type` set, the rest unknown).
   * Optional: an engine without it (an in-process one) leaves filters to `OpaServerEngine`.
   */
  compileFilter?(input: DecisionInput, note: DecisionNote): Promise<ResourceFilter>;
}

/** Injection token of the {@link DecisionEngine} in use. */
export const DecisionEngine = Symbol('DecisionEngine');
