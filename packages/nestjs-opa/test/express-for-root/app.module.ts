import { createFixturesAppModule } from '../support/fixtures.js';

/** `forRoot` with options read when the module is created, and the default undici transport. */
export function createAppModule(opaUrl: string) {
  return createFixturesAppModule({ url: opaUrl });
}
