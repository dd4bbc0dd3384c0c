export * from './filter-consistency.js';
