export { OPA_METRICS_REGISTRY, OpaMetricsObserver } from './opa-metrics.observer.js';
