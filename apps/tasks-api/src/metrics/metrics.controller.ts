import { Controller, Get, Header } from '@nestjs/common';
import { Public } from 'nestjs-opa';
import { register } from 'prom-client';
import { Anonymous } from '../auth/anonymous.decorator.js';

/**
 * `GET /metrics`: prom-client's default registry in the Prometheus text format: the decision
 * metrics of `OpaMetricsObserver` (`opa_decisions_total`, `opa_decision_duration_seconds`, ...)
 * and Node's process metrics. Anonymous and outside the policy, like `/health`, so a scraper
 * needs no token and still gets figures while OPA is down. Do not expose it beyond the cluster.
 */
@Controller('metrics')
@Anonymous()
@Public()
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return register.metrics();
  }
}
