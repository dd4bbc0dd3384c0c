import { createHash } from 'node:crypto';
import type { DecisionInput } from './authz.types.js';

/**
 * The cache and coalescing key of a decision: the subject (so one subject's entries can be dropped
 * together) and a SHA-256 digest of the input exactly as it is sent to OPA. Two decisions share an
 * entry only when OPA would receive byte-identical input, so two different inputs never do (the same
 * document with its keys in another order merely misses).
 */
export function decisionKey(input: DecisionInput, serialized = JSON.stringify(input)): string {
  const digest = createHash('sha256').update(serialized).digest('base64url');
  return `${subjectPrefix(input.subject)}${digest}`;
}

/** The prefix every key of one subject starts with. */
export function subjectPrefix(subject: { type: string; id: string }): string {
  // JSON-encoded, so no id can be crafted to look like another subject's prefix.
  return `${JSON.stringify([subject.type, subject.id])}|`;
}
