import { describeAuthorizationMatrix } from './support/authorization-matrix.js';
import { TestEnv } from './support/environment.js';
import { freshPostgresDatabase } from './support/test-app.js';

if (TestEnv.postgresUrl()) {
  describeAuthorizationMatrix('authorization matrix on PostgreSQL', async () => ({
    DATABASE_URL: await freshPostgresDatabase(),
  }));
} else {
  // The global setup already printed why; keep the skip visible in the results too.
  describe.skip('authorization matrix on PostgreSQL (PostgreSQL not installed)', () => {
    it('runs when PostgreSQL is installed', () => undefined);
  });
}
