import { describeAuthorizationMatrix } from './support/authorization-matrix.js';

describeAuthorizationMatrix(
  'authorization matrix on the embedded database (sql.js)',
  async () => ({}),
);
