import type { DecisionInput } from './authz.types.js';

/**
 * The cache and coalescing key of a decision: the subject (so one subject's entries can be dropped
 * together) followed by the input exactly as it is sent to OPA. Two decisions share an entry only
 * when OPA would receive byte-identical input, so two different inputs never do (the same document
 * with its keys in another order merely misses). No digest: nothing to collide, and no hashing on
 * the hit path; keys are as long as the input (bounded by the cache's `max` entries).
 */
export function decisionKey(input: DecisionInput, serialized = JSON.stringify(input)): string {
  return `${subjectPrefix(input.subject)}${serialized}`;
}

/** The prefix every key of one subject starts with. */
export function subjectPrefix(subject: { type: string; id: string }): string {
  // JSON-encoded, so no id can be crafted to look like another subject's prefix.
  return `${JSON.stringify([subject.type, subject.id])}|`;
}
