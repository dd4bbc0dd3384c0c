import { Module } from '@nestjs/common';
import { OpaModule } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';

export function createAppModule(opaUrl: string) {
  @Module({
    imports: [
      OpaModule.forRoot({ url: opaUrl, timeout: 300, repository: InMemoryAuthzRepository }),
      FixturesModule,
    ],
  })
  class AppModule {}
  return AppModule;
}
