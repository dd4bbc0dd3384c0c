import { describeGraphqlMatrix } from './support/graphql-matrix.js';
import { TestEnv } from './support/environment.js';
import { freshPostgresDatabase } from './support/test-app.js';

if (TestEnv.postgresUrl()) {
  describeGraphqlMatrix('GraphQL matrix on PostgreSQL', async () => ({
    DATABASE_URL: await freshPostgresDatabase(),
  }));
} else {
  // The global setup already printed why; keep the skip visible in the results too.
  describe.skip('GraphQL matrix on PostgreSQL (PostgreSQL not installed)', () => {
    it('runs when PostgreSQL is installed', () => undefined);
  });
}
