import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';
import type {
  BreakerState,
  BundleEvent,
  DecisionEvent,
  OpaObserver,
} from '../opa-observer.interface.js';

/** Provide a prom-client `Registry` under this token to register the metrics there. */
export const OPA_METRICS_REGISTRY = Symbol('OPA_METRICS_REGISTRY');

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Prometheus metrics of every decision, registered in prom-client's default registry (or the one
 * provided under {@link OPA_METRICS_REGISTRY}). Add it to the module's `observers`.
 *
 * Metrics: `opa_decision_duration_seconds` (histogram, by outcome and source),
 * `opa_decisions_total` (by outcome: permit, deny, error), `opa_decision_errors_total` (by kind),
 * `opa_decision_cache_total` (by result: hit, miss), `opa_circuit_breaker_state` (0 closed,
 * 1 half-open, 2 open). With `engine: 'wasm'`: `opa_bundle_loads_total` (by outcome: activated,
 * rejected, unreachable) and `opa_bundle_failing` (1 while the latest attempt was refused or
 * could not fetch a bundle; the last good one, if any, keeps serving).
 *
 * @example
 * ```ts
 * OpaModule.forRoot({ url, observers: [OpaMetricsObserver] });
 * // and serve `await register.metrics()` from a public /metrics route
 * ```
 */
@Injectable()
export class OpaMetricsObserver implements OpaObserver {
  private readonly duration: Histogram<'outcome' | 'source'>;
  private readonly decisions: Counter<'outcome'>;
  private readonly errors: Counter<'kind'>;
  private readonly cache: Counter<'result'>;
  private readonly breaker: Gauge;
  private readonly bundleLoads: Counter<'outcome'>;
  private readonly bundleFailing: Gauge;

  constructor(@Optional() @Inject(OPA_METRICS_REGISTRY) registry: Registry = register) {
    const metric = <T>(name: string, create: () => T): T =>
      (registry.getSingleMetric(name) as T | undefined) ?? create();
    const registers = [registry];
    this.duration = metric(
      'opa_decision_duration_seconds',
      () =>
        new Histogram({
          name: 'opa_decision_duration_seconds',
          help: 'Time to answer an authorization decision, from the caller',
          labelNames: ['outcome', 'source'],
          buckets: [
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
          ],
          registers,
        }),
    );
    this.decisions = metric(
      'opa_decisions_total',
      () =>
        new Counter({
          name: 'opa_decisions_total',
          help: 'Authorization decisions by outcome',
          labelNames: ['outcome'],
          registers,
        }),
    );
    this.errors = metric(
      'opa_decision_errors_total',
      () =>
        new Counter({
          name: 'opa_decision_errors_total',
          help: 'Failed decisions by error kind',
          labelNames: ['kind'],
          registers,
        }),
    );
    this.cache = metric(
      'opa_decision_cache_total',
      () =>
        new Counter({
          name: 'opa_decision_cache_total',
          help: 'Decision cache lookups by result',
          labelNames: ['result'],
          registers,
        }),
    );
    this.breaker = metric(
      'opa_circuit_breaker_state',
      () =>
        new Gauge({
          name: 'opa_circuit_breaker_state',
          help: 'Circuit breaker: 0 closed, 1 half-open, 2 open',
          registers,
        }),
    );
    this.bundleLoads = metric(
      'opa_bundle_loads_total',
      () =>
        new Counter({
          name: 'opa_bundle_loads_total',
          help: 'Policy bundle loads of the in-process engine, by outcome (activated, rejected, unreachable)',
          labelNames: ['outcome'],
          registers,
        }),
    );
    this.bundleFailing = metric(
      'opa_bundle_failing',
      () =>
        new Gauge({
          name: 'opa_bundle_failing',
          help: '1 while the latest policy bundle was refused or unreachable (the last good one serves)',
          registers,
        }),
    );
  }

  onBundle(event: BundleEvent): void {
    this.bundleLoads.inc({ outcome: event.outcome });
    this.bundleFailing.set(event.outcome === 'activated' ? 0 : 1);
  }

  onDecision(event: DecisionEvent): void {
    this.duration.observe({ outcome: event.outcome, source: event.source }, event.latencyMs / 1000);
    this.decisions.inc({ outcome: event.outcome });
    if (event.errorKind) this.errors.inc({ kind: event.errorKind });
    if (event.cache) this.cache.inc({ result: event.cache });
  }

  onBreakerStateChange(state: BreakerState): void {
    this.breaker.set(BREAKER_VALUES[state]);
  }
}
