// What a filter means, row by row: the semantics the SQL adapters produce and parseResidual uses.
import type { FieldCondition, FilterValue, ResourceFilter } from './filter.types.js';

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

const TYPE_ORDER = ['null', 'boolean', 'number', 'string'];

function compare(a: FilterValue, b: FilterValue): number {
  const ta = TYPE_ORDER.indexOf(a === null ? 'null' : typeof a);
  const tb = TYPE_ORDER.indexOf(b === null ? 'null' : typeof b);
  if (ta !== tb) return ta - tb;
  if (a === b) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

/** Whether a field value satisfies a condition, with the semantics of {@link FieldCondition}. */
export function matchesCondition(condition: FieldCondition, fieldValue: unknown): boolean {
  const value = (fieldValue === undefined ? null : fieldValue) as FilterValue;
  const target = condition.value;
  switch (condition.operator) {
    case 'eq':
      return compare(value, target as FilterValue) === 0;
    case 'ne':
      return compare(value, target as FilterValue) !== 0;
    case 'lt':
      return compare(value, target as FilterValue) < 0;
    case 'lte':
      return compare(value, target as FilterValue) <= 0;
    case 'gt':
      return compare(value, target as FilterValue) > 0;
    case 'gte':
      return compare(value, target as FilterValue) >= 0;
    case 'in':
      return (target as FilterValue[]).some((item) => compare(value, item) === 0);
    case 'nin':
      return !(target as FilterValue[]).some((item) => compare(value, item) === 0);
  }
}
