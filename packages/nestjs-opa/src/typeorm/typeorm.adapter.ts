import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { FilterValue, ResourceFilter } from '../filters/filter.types.js';
import { renderSqlFilter } from '../filters/sql.renderer.js';

/** Options of {@link applyResourceFilter}. */
export interface TypeOrmFilterOptions {
  /**
   * Alias of the entity the filter is about.
   * @default the query builder's main alias
   */
  alias?: string;
  /** Resource field → entity property, where they differ (`{ created_by: 'createdBy' }`). */
  fields?: Record<string, string>;
}

const SQLITE_DRIVERS = new Set([
  'sqlite',
  'sqljs',
  'better-sqlite3',
  'capacitor',
  'cordova',
  'expo',
  'react-native',
]);

/**
 * Numbers every placeholder this module ever names. A builder only knows its own parameters (and
 * its parents'): a subquery's, a sibling builder merged later, or another filter's would reuse
 * "the next free index" and silently rebind a value, so names are never reused in the process.
 */
let nextParameter = 0;

function parameterName(qb: SelectQueryBuilder<ObjectLiteral>): string {
  let name: string;
  do name = `opa_filter_${nextParameter++}`;
  while (qb.hasParameter(name));
  return name;
}

/**
 * Adds the policy's filter to a TypeORM query as one `AND (...)` clause with bound parameters,
 * so the database returns exactly the rows the subject may act on. Any number of filters may share
 * a statement, on any alias, builder or subquery: each placeholder name is used once per process.
 *
 * @example
 * ```ts
 * const filter = await opa.compileFilter({ subject, action: 'task:read', resourceType: 'Task', roles, bindings });
 * const qb = tasks.createQueryBuilder('task').orderBy('task.id').limit(50);
 * const rows = await applyResourceFilter(qb, filter, { fields: { created_by: 'createdBy' } }).getMany();
 * ```
 */
export function applyResourceFilter<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  filter: ResourceFilter,
  options: TypeOrmFilterOptions = {},
): SelectQueryBuilder<T> {
  const alias = options.alias ?? qb.alias;
  const metadata = qb.expressionMap.aliases.find((a) => a.name === alias)?.metadata;
  if (!metadata) throw new Error(`applyResourceFilter: no entity alias "${alias}" in the query`);
  const asNumber = SQLITE_DRIVERS.has(qb.connection.options.type);
  const params: Record<string, FilterValue> = {};

  const text = renderSqlFilter(filter, {
    column: (field) => {
      const property = options.fields?.[field] ?? field;
      const column = metadata.findColumnWithPropertyPath(property);
      if (!column)
        throw new Error(
          `applyResourceFilter: ${metadata.name} has no property for field "${field}"`,
        );
      return `${qb.escape(alias)}.${qb.escape(column.databaseName)}`;
    },
    param: (value) => {
      const name = parameterName(qb);
      params[name] = typeof value === 'boolean' && asNumber ? Number(value) : value;
      return `:${name}`;
    },
  });
  return qb.andWhere(`(${text})`, params);
}
