import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { OpaModule } from '../../src/index.js';
import { HttpServiceTransport } from '../../src/axios/index.js';
import { FixturesModule, InMemoryAuthzRepository, subjectFromHeader } from '../support/fixtures.js';

/** `forRootAsync` with `ConfigService`, and the `@nestjs/axios` transport. */
export function createAppModule(opaUrl: string) {
  @Module({
    imports: [
      ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ OPA_URL: opaUrl })] }),
      HttpModule,
      OpaModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          url: config.getOrThrow<string>('OPA_URL'),
          // Fastify's request wrapper does not see what middleware sets, so read the header here.
          subjectResolver: subjectFromHeader,
        }),
        repository: InMemoryAuthzRepository,
        transport: HttpServiceTransport,
      }),
      FixturesModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
