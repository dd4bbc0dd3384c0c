import { Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { OpaModule, PolicyGuard, type Subject } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';

/**
 * An application's own guard: API tokens in `x-api-token` instead of `request.user`. Only the
 * subject step is overridden; loading, deciding and the 401/403/503 answers stay the library's.
 */
@Injectable()
export class ApiTokenGuard extends PolicyGuard {
  protected override async getSubject(request: {
    headers: Record<string, string | undefined>;
  }): Promise<Subject | undefined> {
    const token = request.headers['x-api-token'];
    return typeof token === 'string' ? { type: 'token', id: token } : undefined;
  }
}

/** `globalGuard: false` and the subclass registered as the global guard instead. */
export function createAppModule(opaUrl: string) {
  @Module({
    imports: [
      OpaModule.forRoot({ url: opaUrl, repository: InMemoryAuthzRepository, globalGuard: false }),
      FixturesModule,
    ],
    providers: [{ provide: APP_GUARD, useClass: ApiTokenGuard }],
  })
  class AppModule {}
  return AppModule;
}
