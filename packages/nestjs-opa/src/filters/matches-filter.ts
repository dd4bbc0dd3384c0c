import { matchesCondition } from './residual-parser.js';
import type { ResourceFilter } from './filter.types.js';

/**
 * Evaluates a filter on one row in memory, with the same semantics the SQL adapters produce.
 * Fields are read from `row` by name (dotted names walk nested objects).
 *
 * @example
 * ```ts
 * const visible = rows.filter((row) => matchesFilter(filter, row));
 * ```
 */
export function matchesFilter(filter: ResourceFilter, row: Record<string, unknown>): boolean {
  if (filter.kind !== 'conditions') return filter.kind === 'always';
  return filter.anyOf.some((conditions) =>
    conditions.every((condition) => matchesCondition(condition, readField(row, condition.field))),
  );
}

function readField(row: Record<string, unknown>, field: string): unknown {
  let value: unknown = row;
  for (const part of field.split('.')) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value;
}
