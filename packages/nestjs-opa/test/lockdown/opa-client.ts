import { HttpModule } from '@nestjs/axios';
import type { Type } from '@nestjs/common';
import { HttpServiceTransport } from '../../src/axios/index.js';
import {
  type OpaService,
  UndiciTransport,
  type OpaModuleOptions,
  type OpaTransport,
} from '../../src/index.js';
import { createOpaTesting } from '../support/opa-testing.js';

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
  const { moduleRef, opa } = await createOpaTesting({
    imports: [HttpModule],
    timeout: 3000,
    retry: false,
    circuitBreaker: false,
    auditLog: false,
    transport,
    ...options,
  });
  opened.push(() => moduleRef.close());
  return opa;
}

const opened: Array<() => Promise<void>> = [];

/** Closes every module made by {@link createService} (their keep-alive pools). */
export async function closeServices(): Promise<void> {
  await Promise.all(opened.splice(0).map((close) => close()));
}
