import { HttpModule } from '@nestjs/axios';
import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HttpServiceTransport } from '../../src/axios/index.js';
import {
  OpaModule,
  OpaService,
  UndiciTransport,
  type OpaModuleOptions,
  type OpaTransport,
} from '../../src/index.js';

/** Both transports: every lockdown option must work the same over each. */
export const transports = [
  ['undici', UndiciTransport],
  ['HttpService', HttpServiceTransport],
] as const;

/**
 * An OpaService on `options.url` over `transport`, without retries or breaker, so a refused call
 * fails at once with its own error. Closed by {@link closeServices}.
 */
export async function createService(
  transport: Type<OpaTransport>,
  options: OpaModuleOptions,
): Promise<OpaService> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      HttpModule,
      OpaModule.forRoot({
        timeout: 3000,
        retry: false,
        circuitBreaker: false,
        globalGuard: false,
        auditLog: false,
        transport,
        ...options,
      }),
    ],
  }).compile();
  await moduleRef.init();
  opened.push(() => moduleRef.close());
  return moduleRef.get(OpaService);
}

const opened: Array<() => Promise<void>> = [];

/** Closes every module made by {@link createService} (their keep-alive pools). */
export async function closeServices(): Promise<void> {
  await Promise.all(opened.splice(0).map((close) => close()));
}
