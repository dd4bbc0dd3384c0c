export { OpaHealthIndicator } from './opa-health.indicator.js';
