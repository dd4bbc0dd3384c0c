import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { OpaError, OpaResponseError, OpaTimeoutError, OpaUnavailableError } from '../opa.errors.js';
import { OpaAdminService, type OpaHealthOptions } from '../opa-admin.service.js';
import { WasmDecisionEngine } from '../engines/wasm.engine.js';

/**
 * Terminus indicator: up when OPA's `/health` answers 200, down with the reason otherwise.
 * With `engine: 'wasm'`: up while a verified bundle is active (with its `revision`, and
 * `lastError` when a newer bundle was refused and the last good one keeps serving), down before.
 * Use it for readiness.
 * Add it to the providers of the module that holds your health controller.
 *
 * @example
 * ```ts
 * @Get('health')
 * @Public()
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.opa.isHealthy('opa', { bundles: true })]);
 * }
 * ```
 */
@Injectable()
export class OpaHealthIndicator {
  constructor(
    private readonly opa: OpaAdminService,
    private readonly healthIndicatorService: HealthIndicatorService,
    @Optional() private readonly wasm?: WasmDecisionEngine,
  ) {}

  async isHealthy<Key extends string>(
    key: Key,
    options: OpaHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    if (this.wasm?.enabled) {
      const { ready, revision, lastError } = this.wasm.status();
      const details = { engine: 'wasm', ...(revision !== undefined ? { revision } : {}) };
      // lastError names files and keys, never addresses or secrets.
      if (!ready) return indicator.down({ ...details, message: lastError ?? 'no bundle yet' });
      return indicator.up({ ...details, ...(lastError ? { lastError } : {}) });
    }
    try {
      await this.opa.health(options);
      return indicator.up();
    } catch (error) {
      if (error instanceof OpaError) return indicator.down({ message: describeForHealth(error) });
      throw error;
    }
  }
}

/** Why OPA is down, without its address: health endpoints are often public. */
function describeForHealth(error: OpaError): string {
  if (error instanceof OpaTimeoutError) return 'OPA did not answer in time';
  if (error instanceof OpaUnavailableError) return 'OPA is unreachable';
  if (error instanceof OpaResponseError) return `OPA answered HTTP ${error.status}`;
  return 'OPA answered with an invalid body';
}
