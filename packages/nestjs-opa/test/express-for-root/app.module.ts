import { Module } from '@nestjs/common';
import { OpaModule } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';

/** `forRoot` with options read when the module is created, and the default undici transport. */
export function createAppModule(opaUrl: string) {
  @Module({
    imports: [
      OpaModule.forRoot({ url: opaUrl, repository: InMemoryAuthzRepository }),
      FixturesModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
