import { createHash } from 'node:crypto';
import type { DecisionInput } from './authz.types.js';

/**
 * JSON with object keys sorted at every depth: two documents that OPA would read as equal give
 * the same text, and two that differ in any value, key or array position give different text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The cache and coalescing key of a decision: the subject (so one subject's entries can be
 * dropped together) and a SHA-256 digest of the whole canonical input. Every field of the input
 * is in the digest, so two different inputs never share an entry.
 */
export function decisionKey(input: DecisionInput): string {
  const digest = createHash('sha256').update(canonicalJson(input)).digest('base64url');
  return `${subjectPrefix(input.subject)}${digest}`;
}

/** The prefix every key of one subject starts with. */
export function subjectPrefix(subject: { type: string; id: string }): string {
  // JSON-encoded, so no id can be crafted to look like another subject's prefix.
  return `${JSON.stringify([subject.type, subject.id])}|`;
}
