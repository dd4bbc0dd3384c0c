import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditLogObserver } from './audit-log.observer.js';
import { AuthzRepository } from './authz.repository.js';
import { DecisionEngine } from './engines/decision-engine.interface.js';
import { OpaServerEngine } from './engines/opa-server.engine.js';
import { WasmDecisionEngine } from './engines/wasm.engine.js';
import { OPA_MODULE_OPTIONS, OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import type { OpaModuleExtras, OpaModuleOptions } from './opa-module-options.interface.js';
import { OPA_OBSERVERS, type OpaObserver } from './opa-observer.interface.js';
import { resolveOpaOptions, type ResolvedOpaOptions } from './opa.options.js';
import { PolicyGuard } from './policy.guard.js';
import { OpaTransport } from './transports/opa-transport.interface.js';
import { UndiciTransport } from './transports/undici.transport.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<OpaModuleOptions>({ optionsInjectionToken: OPA_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createOpaOptions')
    .setExtras<OpaModuleExtras>({ isGlobal: true, globalGuard: true }, (definition, extras) => {
      const observers = extras.observers ?? [];
      const providers: Provider[] = [
        { provide: OpaTransport, useClass: extras.transport ?? UndiciTransport },
        // The one place options are resolved and checked: everything else injects the result.
        // `engine` given at the top level of forRootAsync() wins over the factory's options.
        {
          provide: OPA_RESOLVED_OPTIONS,
          inject: [OPA_MODULE_OPTIONS],
          useFactory: (options: OpaModuleOptions) =>
            resolveOpaOptions(extras.engine ? { ...options, engine: extras.engine } : options),
        },
        typeof extras.engine === 'function'
          ? { provide: DecisionEngine, useClass: extras.engine }
          : {
              // 'server' or 'wasm', possibly from forRootAsync()'s factory: chosen at startup.
              provide: DecisionEngine,
              inject: [OPA_RESOLVED_OPTIONS, OpaServerEngine, WasmDecisionEngine],
              useFactory: (
                options: ResolvedOpaOptions,
                server: OpaServerEngine,
                wasm: WasmDecisionEngine,
              ): DecisionEngine => (options.engine === 'wasm' ? wasm : server),
            },
        ...observers,
        {
          provide: OPA_OBSERVERS,
          inject: [OPA_RESOLVED_OPTIONS, AuditLogObserver, ...observers],
          useFactory: (
            options: ResolvedOpaOptions,
            audit: OpaObserver,
            ...others: OpaObserver[]
          ) => (options.auditLog ? [audit, ...others] : others),
        },
      ];
      if (extras.repository)
        providers.push({ provide: AuthzRepository, useClass: extras.repository });
      if (extras.globalGuard !== false)
        providers.push({ provide: APP_GUARD, useExisting: PolicyGuard });
      return {
        ...definition,
        global: extras.isGlobal !== false,
        providers: [...(definition.providers ?? []), ...providers],
        exports: [
          ...(definition.exports ?? []),
          OpaTransport,
          DecisionEngine,
          OPA_OBSERVERS,
          ...observers,
          ...(extras.repository ? [AuthzRepository] : []),
        ],
      };
    })
    .build();
