export { toDrizzleFilter } from './drizzle.adapter.js';
