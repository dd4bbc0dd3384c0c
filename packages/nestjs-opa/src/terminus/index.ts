export { OpaHealthIndicator } from './opa.health.js';
