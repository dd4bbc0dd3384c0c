import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditLogObserver } from './audit-log.observer.js';
import { DecisionCache } from './decision.cache.js';
import { DecisionService } from './decision.service.js';
import { OpaServerEngine } from './engines/opa-server.engine.js';
import { WasmDecisionEngine } from './engines/wasm.engine.js';
import { OpaAdminService } from './opa-admin.service.js';
import { OpaHttpClient } from './opa-http.client.js';
import { OPA_MODULE_OPTIONS, OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import { OpaResilience } from './opa.resilience.js';
import { ConfigurableModuleClass } from './opa.module-definition.js';
import { OpaService } from './opa.service.js';
import { PolicyGuard } from './policy.guard.js';
import { ResourceLoaderRegistry } from './resource-loader.registry.js';
import { RouteAuditor } from './route.auditor.js';

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
    // OPA_RESOLVED_OPTIONS is provided by the module definition (it depends on `engine`).
    OpaService,
    OpaAdminService,
    DecisionService,
    OpaServerEngine,
    OpaHttpClient,
    PolicyGuard,
    ResourceLoaderRegistry,
    RouteAuditor,
    OpaResilience,
    DecisionCache,
    AuditLogObserver,
    // Always provided (it stays inert) so `engine: 'wasm'` can come from forRootAsync's factory.
    WasmDecisionEngine,
  ],
  exports: [
    OpaService,
    OpaAdminService,
    // Injected by PolicyGuard, and by any entry point of another context (GraphQL, RPC, ...).
    DecisionService,
    // For a composite engine that leaves some calls to the OPA server.
    OpaServerEngine,
    PolicyGuard,
    // Injected by PolicyGuard: exported so an application's subclass of it can be provided.
    ResourceLoaderRegistry,
    RouteAuditor,
    OpaResilience,
    DecisionCache,
    // Inert unless `engine: 'wasm'`; its status() tells health checks which bundle revision decides.
    WasmDecisionEngine,
    OPA_MODULE_OPTIONS,
    OPA_RESOLVED_OPTIONS,
  ],
})
export class OpaModule extends ConfigurableModuleClass {}
