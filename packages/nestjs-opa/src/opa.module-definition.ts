import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthzRepository } from './authz.repository.js';
import { OPA_MODULE_OPTIONS } from './opa.constants.js';
import type { OpaModuleExtras, OpaModuleOptions } from './opa-module-options.interface.js';
import { PolicyGuard } from './policy.guard.js';
import { OpaTransport } from './transports/opa-transport.interface.js';
import { UndiciTransport } from './transports/undici.transport.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<OpaModuleOptions>({ optionsInjectionToken: OPA_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createOpaOptions')
    .setExtras<OpaModuleExtras>({ isGlobal: true, globalGuard: true }, (definition, extras) => {
      const providers: Provider[] = [
        { provide: OpaTransport, useClass: extras.transport ?? UndiciTransport },
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
          ...(extras.repository ? [AuthzRepository] : []),
        ],
      };
    })
    .build();
