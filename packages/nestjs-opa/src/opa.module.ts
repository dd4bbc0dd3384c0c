import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditLogObserver } from './audit-log.observer.js';
import { DecisionCache } from './decision-cache.js';
import { OPA_MODULE_OPTIONS } from './opa.constants.js';
import { OpaResilience } from './opa-resilience.js';
import { ConfigurableModuleClass } from './opa.module-definition.js';
import { OpaService } from './opa.service.js';
import { PolicyGuard } from './policy.guard.js';
import { ResourceLoaderRegistry } from './resource-loader.registry.js';
import { RouteAuditor } from './route-auditor.js';
import { WasmDecisionEngine } from './wasm/wasm-decision-engine.js';

/**
 * Puts every route behind OPA. Provides {@link OpaService} and {@link PolicyGuard} (registered
 * globally unless `globalGuard: false`).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     OpaModule.forRoot({ url: 'http://127.0.0.1:8181', repository: TypeOrmAuthzRepository }),
 *   ],
 * })
 * export class AppModule {}
 *
 * // or, with ConfigService:
 * OpaModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ url: config.getOrThrow('OPA_URL') }),
 *   repository: TypeOrmAuthzRepository,
 * });
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    OpaService,
    PolicyGuard,
    ResourceLoaderRegistry,
    RouteAuditor,
    OpaResilience,
    DecisionCache,
    AuditLogObserver,
    WasmDecisionEngine,
  ],
  exports: [
    OpaService,
    PolicyGuard,
    // Injected by PolicyGuard: exported so an application's subclass of it can be provided.
    ResourceLoaderRegistry,
    RouteAuditor,
    OpaResilience,
    DecisionCache,
    WasmDecisionEngine,
    OPA_MODULE_OPTIONS,
  ],
})
export class OpaModule extends ConfigurableModuleClass {}
