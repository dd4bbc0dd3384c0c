export * from './filter-consistency.check.js';
