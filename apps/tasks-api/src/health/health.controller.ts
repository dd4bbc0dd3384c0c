import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from 'nestjs-opa';
import { OpaHealthIndicator } from 'nestjs-opa/terminus';
import { Anonymous } from '../auth/anonymous.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';

/**
 * `GET /health`: 200 when OPA and the database answer, 503 naming what is down. Anonymous and
 * outside the policy, so orchestrators can probe it, and so it still answers when OPA is down.
 */
@Controller('health')
@Anonymous()
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly opa: OpaHealthIndicator,
    private readonly database: TypeOrmHealthIndicator,
    private readonly config: ConfigService,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.opa.isHealthy('opa'),
      () => this.database.pingCheck('database', { timeout: 1500 }),
    ]);
  }

  /**
   * `GET /health/ready`: readiness. With `OPA_REQUIRE_BUNDLES=true` (the Kubernetes sidecar
   * setup) it also waits until OPA has activated its policy bundle.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    const bundles = this.config.getOrThrow<AppConfig>(APP_CONFIG).opaRequireBundles;
    return this.health.check([
      () => this.opa.isHealthy('opa', { bundles }),
      () => this.database.pingCheck('database', { timeout: 1500 }),
    ]);
  }
}
