import type { LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { OpaModule, OpaService } from '../../src/index.js';

/** `OpaModule.forRoot` options, and what the testing module needs beside the library. */
export type OpaTestingOptions = Parameters<typeof OpaModule.forRoot>[0] & {
  /** Modules the library needs beside it, e.g. `HttpModule` for `HttpServiceTransport`. */
  imports?: ModuleMetadata['imports'];
  /** The Nest logger of the module, to read its audit lines. */
  logger?: LoggerService;
};

/**
 * The one way tests build the library: `OpaModule.forRoot` in an initialised testing module,
 * against the integration project's OPA unless `url` says otherwise, the guard not global.
 * Close `moduleRef` to release its keep-alive pool.
 */
export async function createOpaTesting(
  options: OpaTestingOptions = {},
): Promise<{ moduleRef: TestingModule; opa: OpaService }> {
  const { imports = [], logger, ...forRoot } = options;
  const builder = Test.createTestingModule({
    imports: [
      ...imports,
      OpaModule.forRoot({ url: process.env.OPA_URL, globalGuard: false, ...forRoot }),
    ],
  });
  if (logger) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return { moduleRef, opa: moduleRef.get(OpaService) };
}
