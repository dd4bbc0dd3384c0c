import { createFixturesAppModule } from '../support/fixtures.js';

export function createAppModule(opaUrl: string) {
  return createFixturesAppModule({ url: opaUrl, timeout: 300 });
}
