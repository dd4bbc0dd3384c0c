export { toDrizzleFilter } from './drizzle-filter.js';
