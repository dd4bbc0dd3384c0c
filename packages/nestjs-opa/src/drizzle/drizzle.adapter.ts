import {
  and,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  isNotNull,
  lt,
  lte,
  ne,
  notInArray,
  or,
  sql,
  type Column,
  type SQL,
} from 'drizzle-orm';
import type { FieldCondition, FilterValue, ResourceFilter } from '../filters/filter.types.js';

/**
 * Turns a filter into a Drizzle condition for `.where(...)`, given the column of each resource
 * field. Values are bound parameters; NULL handling matches the other adapters.
 *
 * @example
 * ```ts
 * const where = toDrizzleFilter(filter, { id: tasks.id, created_by: tasks.createdBy, status: tasks.status });
 * const rows = await db.select().from(tasks).where(where);
 * ```
 */
export function toDrizzleFilter(filter: ResourceFilter, columns: Record<string, Column>): SQL {
  if (filter.kind === 'always') return sql`1 = 1`;
  if (filter.kind === 'never') return sql`1 = 0`;
  const disjuncts = filter.anyOf.map((conditions) =>
    conditions.length === 0 ? sql`1 = 1` : and(...conditions.map((c) => toCondition(c, columns)))!,
  );
  return or(...disjuncts)!;
}

function toCondition(condition: FieldCondition, columns: Record<string, Column>): SQL {
  const column = Object.hasOwn(columns, condition.field) ? columns[condition.field] : undefined;
  if (!column)
    throw new Error(`toDrizzleFilter: no column mapped for resource field "${condition.field}"`);
  const { operator } = condition;
  if (operator === 'in' || operator === 'nin')
    return membership(column, operator, condition.value as FilterValue[]);
  const value = condition.value as FilterValue;
  if (value === null) {
    if (operator === 'eq' || operator === 'lte') return isNull(column);
    if (operator === 'ne' || operator === 'gt') return isNotNull(column);
    return operator === 'lt' ? sql`1 = 0` : sql`1 = 1`;
  }
  switch (operator) {
    case 'eq':
      return eq(column, value);
    case 'ne':
      return or(ne(column, value), isNull(column))!;
    case 'lt':
      return or(lt(column, value), isNull(column))!;
    case 'lte':
      return or(lte(column, value), isNull(column))!;
    case 'gt':
      return gt(column, value);
    case 'gte':
      return gte(column, value);
  }
}

function membership(column: Column, operator: 'in' | 'nin', values: FilterValue[]): SQL {
  const present = values.filter((v): v is Exclude<FilterValue, null> => v !== null);
  const withNull = present.length !== values.length;
  if (operator === 'in') {
    const listed = present.length > 0 ? inArray(column, present) : sql`1 = 0`;
    return withNull ? or(listed, isNull(column))! : listed;
  }
  const unlisted = present.length > 0 ? notInArray(column, present) : sql`1 = 1`;
  return withNull ? and(unlisted, isNotNull(column))! : or(unlisted, isNull(column))!;
}
