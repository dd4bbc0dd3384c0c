import { describeGraphqlMatrix } from './support/graphql-matrix.js';

describeGraphqlMatrix('GraphQL matrix on the embedded database (sql.js)', async () => ({}));
