import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OpaModule, PolicyGuard } from 'nestjs-opa';
import { OpaMetricsObserver } from 'nestjs-opa/prometheus';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/jwt-auth.guard.js';
import { authzEntities } from './authz/authz.entities.js';
import { DecisionCacheInvalidator } from './authz/decision-cache.invalidator.js';
import { TypeOrmAuthzRepository } from './authz/typeorm-authz.repository.js';
import { APP_CONFIG, appConfig, type AppConfig } from './config/app.config.js';
import { graphqlOptions } from './config/graphql.config.js';
import { createValidationPipe } from './config/validation.pipe.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TasksModule } from './tasks/tasks.module.js';

@Module({})
export class AppModule {
  /**
   * @param env where configuration is read from; `process.env` in production, a test's own
   *   values in tests (so several apps can run side by side in one process).
   */
  static forRoot(env: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig(env)] }),
        DatabaseModule,
        AuthModule,
        OpaModule.forRootAsync({
          imports: [TypeOrmModule.forFeature(authzEntities)],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const {
              opaUrl,
              opaToken,
              opaTls,
              decisionCacheTtlMs,
              opaBulkhead,
              engine,
              wasmBundle,
            } = config.getOrThrow<AppConfig>(APP_CONFIG);
            return {
              // wasm: point and bulk decisions in process; OPA at `url` compiles list filters.
              engine,
              ...(wasmBundle ? { wasm: { bundle: wasmBundle } } : {}),
              url: opaUrl,
              token: opaToken,
              tls: opaTls,
              // Opt-in; DecisionCacheInvalidator drops entries when bindings or roles change.
              cache: decisionCacheTtlMs
                ? { ttl: decisionCacheTtlMs, denyTtl: Math.min(decisionCacheTtlMs, 1000) }
                : false,
              bulkhead: opaBulkhead ? {} : false,
            };
          },
          repository: TypeOrmAuthzRepository,
          // Decision counts, latencies, errors and the breaker's state, served at GET /metrics.
          observers: [OpaMetricsObserver],
          // Registered below instead, after the JWT guard: see the APP_GUARD providers.
          globalGuard: false,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>(graphqlOptions()),
        TasksModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        // Global guards run in the order they are registered. Both are listed here, in one array,
        // so the order does not depend on how Nest walks the module graph: authentication (401)
        // first, then the policy decision (403/404/503), which needs the authenticated subject.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useExisting: PolicyGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        DecisionCacheInvalidator,
      ],
    };
  }
}
