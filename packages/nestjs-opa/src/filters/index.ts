export type * from './filter.types.js';
export { matchesFilter } from './matches-filter.js';
export { UnsupportedResidualError } from './residual-parser.js';
export {
  toSqlFilter,
  type SqlDialect,
  type SqlFilterOptions,
  type SqlFragment,
} from './sql-filter.js';
