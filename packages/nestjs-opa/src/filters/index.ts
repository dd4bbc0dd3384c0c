export type * from './filter.types.js';
export { matchesFilter } from './filter.semantics.js';
export {
  toSqlFilter,
  type SqlDialect,
  type SqlFilterOptions,
  type SqlFragment,
} from './sql.adapter.js';
