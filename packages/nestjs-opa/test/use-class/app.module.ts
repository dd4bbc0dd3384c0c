import { Injectable, Module } from '@nestjs/common';
import { OpaModule, type OpaModuleOptions, type OpaOptionsFactory } from '../../src/index.js';
import { FixturesModule, subjectFromHeader } from '../support/fixtures.js';

@Injectable()
class OpaConfig implements OpaOptionsFactory {
  createOpaOptions(): OpaModuleOptions {
    return { url: process.env.OPA_URL, subjectResolver: subjectFromHeader };
  }
}

/**
 * `forRootAsync({ useClass })` with no repository registered: the guard cannot gather roles, so it
 * must answer 503 rather than decide without them.
 */
@Module({
  imports: [OpaModule.forRootAsync({ useClass: OpaConfig }), FixturesModule],
})
export class AppModule {}
