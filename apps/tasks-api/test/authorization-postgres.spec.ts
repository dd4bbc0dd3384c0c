import { describeAuthorizationMatrix } from './support/authorization-matrix.js';
import { describeOnPostgres } from './support/databases.js';
import { freshPostgresDatabase } from './support/test-app.js';

describeOnPostgres('authorization matrix on PostgreSQL', (title) =>
  describeAuthorizationMatrix(title, async () => ({ DATABASE_URL: await freshPostgresDatabase() })),
);
