import { describeGraphqlMatrix } from './support/graphql-matrix.js';
import { describeOnPostgres } from './support/databases.js';
import { freshPostgresDatabase } from './support/test-app.js';

describeOnPostgres('GraphQL matrix on PostgreSQL', (title) =>
  describeGraphqlMatrix(title, async () => ({ DATABASE_URL: await freshPostgresDatabase() })),
);
