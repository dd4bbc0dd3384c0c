import type { FilterValue, ResourceFilter } from './filter.types.js';
import { renderSqlFilter } from './sql.renderer.js';

/** SQL dialects the fragment adapter writes placeholders and identifiers for. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'mssql';

/** Options of {@link toSqlFilter}. */
export interface SqlFilterOptions {
  dialect: SqlDialect;
  /** Resource field → column name, optionally qualified (`t.created_by`). Unmapped fields throw. */
  columns: Record<string, string>;
  /**
   * Number of the first placeholder (`postgres` `$n`, `mssql` `@pn`). A fragment appended to a
   * query that already binds values must start after them (its parameter count + 1): numbered
   * placeholders are global to the statement, subqueries included, so `$1` would rebind the
   * query's own first value.
   * @default 1
   */
  firstParam?: number;
}

/** A parameterized SQL boolean expression. */
export interface SqlFragment {
  text: string;
  params: FilterValue[];
}

const QUOTES: Record<SqlDialect, [string, string]> = {
  postgres: ['"', '"'],
  sqlite: ['"', '"'],
  mysql: ['`', '`'],
  mssql: ['[', ']'],
};

/**
 * Turns a filter into a parameterized WHERE fragment for any driver. Values are always bound
 * parameters; identifiers are quoted for the dialect.
 *
 * @example
 * ```ts
 * const where = toSqlFilter(filter, { dialect: 'postgres', columns: { id: 'id', created_by: 'created_by' } });
 * await pool.query(`SELECT * FROM tasks WHERE ${where.text}`, where.params);
 * ```
 */
export function toSqlFilter(filter: ResourceFilter, options: SqlFilterOptions): SqlFragment {
  const params: FilterValue[] = [];
  const [open, close] = QUOTES[options.dialect];
  const first = options.firstParam ?? 1;
  if (!Number.isSafeInteger(first) || first < 1) {
    throw new TypeError(`toSqlFilter: firstParam must be a positive integer, got ${first}`);
  }
  const text = renderSqlFilter(filter, {
    column: (field) => {
      const column = Object.hasOwn(options.columns, field) ? options.columns[field] : undefined;
      if (!column) throw new Error(`toSqlFilter: no column mapped for resource field "${field}"`);
      return column
        .split('.')
        .map((part) => `${open}${part.replaceAll(close, close + close)}${close}`)
        .join('.');
    },
    param: (value) => {
      params.push(
        typeof value === 'boolean' && options.dialect !== 'postgres' ? Number(value) : value,
      );
      const n = first + params.length - 1;
      return options.dialect === 'postgres'
        ? `$${n}`
        : options.dialect === 'mssql'
          ? `@p${n}`
          : '?';
    },
  });
  return { text, params };
}
