export { applyResourceFilter, type TypeOrmFilterOptions } from './typeorm-filter.js';
