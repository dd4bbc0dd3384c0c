import type { Decision } from './authz.types.js';

/** The body of OPA's `POST /v1/data/...` response. */
export interface OpaDataResponse {
  result?: unknown;
  decision_id?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads OPA's decision id, if the response carries a well-formed one. */
export function readDecisionId(response: unknown): string | undefined {
  const id = isRecord(response) ? response.decision_id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * Turns OPA's response into a {@link Decision}. Only a complete, consistent answer grants: an
 * undefined result, a missing key or a value of the wrong type is a denial, never an allow.
 */
export function parseDecision(response: unknown): Decision {
  const result = isRecord(response) ? response.result : undefined;
  const document = isRecord(result) ? result : {};
  const allow = document.allow === true;
  const deny = document.deny === true;
  // `deny` must be an explicit `false`: a partial answer is a denial.
  const permit = document.permit === true && allow && document.deny === false;
  return { permit, allow, deny, decisionId: readDecisionId(response), raw: result };
}

/**
 * Reads the `decisions` rule's answer: one `{index, permit}` per query. Only an entry with a valid
 * index and `permit: true` grants; a missing, duplicated-and-conflicting or malformed entry denies.
 */
export function parseBulkDecisions(response: unknown, count: number): boolean[] {
  const permits = new Array<boolean>(count).fill(false);
  const seen = new Set<number>();
  const result = isRecord(response) ? response.result : undefined;
  if (!Array.isArray(result)) return permits;
  for (const entry of result) {
    if (!isRecord(entry)) continue;
    const { index, permit } = entry;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count)
      continue;
    permits[index] = permit === true && (!seen.has(index) || permits[index]!);
    seen.add(index);
  }
  return permits;
}
