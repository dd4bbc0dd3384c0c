import type { FieldCondition, FilterValue, ResourceFilter } from './filter.types.js';

/** How a SQL adapter names a field's column and binds a value. */
export interface SqlRenderContext {
  /** The escaped column expression of a field; throws for a field that has no column. */
  column(field: string): string;
  /** Binds a value and returns its placeholder. Values are never spliced into the text. */
  param(value: FilterValue): string;
}

/**
 * Renders a filter as a SQL boolean expression. Shared by every SQL adapter so NULL handling is
 * written once: it reproduces {@link FieldCondition}'s semantics exactly.
 */
export function renderSqlFilter(filter: ResourceFilter, context: SqlRenderContext): string {
  if (filter.kind === 'always') return '1 = 1';
  if (filter.kind === 'never') return '1 = 0';
  const disjuncts = filter.anyOf.map((conditions) =>
    conditions.length === 0
      ? '1 = 1'
      : conditions.map((c) => renderCondition(c, context)).join(' AND '),
  );
  return disjuncts.map((d) => `(${d})`).join(' OR ');
}

function renderCondition(condition: FieldCondition, context: SqlRenderContext): string {
  const column = context.column(condition.field);
  const { operator, value } = condition;
  if (operator === 'in' || operator === 'nin')
    return renderMembership(column, operator, value as FilterValue[], context);
  const scalar = value as FilterValue;
  if (scalar === null) {
    // Rego orders null before every other value.
    switch (operator) {
      case 'eq':
      case 'lte':
        return `${column} IS NULL`;
      case 'ne':
      case 'gt':
        return `${column} IS NOT NULL`;
      case 'lt':
        return '1 = 0';
      case 'gte':
        return '1 = 1';
    }
  }
  const placeholder = context.param(scalar);
  switch (operator) {
    case 'eq':
      return `${column} = ${placeholder}`;
    case 'ne':
      return `(${column} <> ${placeholder} OR ${column} IS NULL)`;
    case 'lt':
      return `(${column} < ${placeholder} OR ${column} IS NULL)`;
    case 'lte':
      return `(${column} <= ${placeholder} OR ${column} IS NULL)`;
    case 'gt':
      return `${column} > ${placeholder}`;
    case 'gte':
      return `${column} >= ${placeholder}`;
  }
}

function renderMembership(
  column: string,
  operator: 'in' | 'nin',
  values: FilterValue[],
  context: SqlRenderContext,
): string {
  const withNull = values.includes(null);
  const present = values.filter((v): v is Exclude<FilterValue, null> => v !== null);
  const list = () => present.map((v) => context.param(v)).join(', ');
  if (operator === 'in') {
    const listed = present.length > 0 ? `${column} IN (${list()})` : '1 = 0';
    return withNull ? `(${listed} OR ${column} IS NULL)` : listed;
  }
  const unlisted = present.length > 0 ? `${column} NOT IN (${list()})` : '1 = 1';
  return withNull
    ? `(${unlisted} AND ${column} IS NOT NULL)`
    : `(${unlisted} OR ${column} IS NULL)`;
}
