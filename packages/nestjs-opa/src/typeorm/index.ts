export { applyResourceFilter, type TypeOrmFilterOptions } from './typeorm.adapter.js';
