import { Module } from '@nestjs/common';
import { OpaModule } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository, subjectFromHeader } from '../support/fixtures.js';

/**
 * `forRootAsync` with `engine: 'wasm'`: point decisions in process from a signed bundle file,
 * filters from the OPA server at `opaUrl`.
 */
export function createAppModule(opaUrl: string, bundle: { file: string; publicKey: string }) {
  @Module({
    imports: [
      OpaModule.forRootAsync({
        useFactory: () => ({
          engine: 'wasm' as const,
          url: opaUrl,
          wasm: { bundle: { ...bundle, pollingInterval: 0 } },
          // Fastify's request wrapper does not see what middleware sets, so read the header here.
          subjectResolver: subjectFromHeader,
        }),
        repository: InMemoryAuthzRepository,
      }),
      FixturesModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
