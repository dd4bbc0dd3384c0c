import { Module, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsServer } from './metrics.server.js';

/** A metric `collectDefaultMetrics` registers, to tell whether it already ran in this process. */
const DEFAULT_METRIC = 'process_cpu_user_seconds_total';

/**
 * Serves `/metrics` on the metrics port ({@link MetricsServer}), not on the app's. The decision
 * metrics come from `OpaMetricsObserver`, registered in the app module's `OpaModule` `observers`;
 * this module adds Node's process metrics (heap, RSS, event loop lag, GC) once per process, as
 * several apps may share prom-client's default registry.
 */
@Module({ providers: [MetricsServer], exports: [MetricsServer] })
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    if (!register.getSingleMetric(DEFAULT_METRIC)) collectDefaultMetrics({ register });
  }
}
