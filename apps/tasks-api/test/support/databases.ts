import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { EMBEDDED_DATABASE_FILE } from '../../src/database/database.config.js';
import { TestEnv } from './environment.js';
import { freshDataDir, freshPostgresDatabase } from './test-app.js';

/** A fresh, empty database: the app's environment for it, and options to open it directly. */
export interface TestDatabase {
  env: Record<string, string>;
  options: DataSourceOptions;
}

const embedded = async (): Promise<TestDatabase> => {
  const dir = freshDataDir();
  return {
    env: { DATA_DIR: dir },
    options: { type: 'sqljs', location: join(dir, EMBEDDED_DATABASE_FILE), autoSave: true },
  };
};

const postgres = async (): Promise<TestDatabase> => {
  const url = await freshPostgresDatabase();
  return { env: { DATABASE_URL: url }, options: { type: 'postgres', url } };
};

/**
 * Declares `body` once per database the sample supports: the embedded sql.js, and PostgreSQL
 * when the global setup could start it (otherwise a visible skip).
 */
export function describeOnEachDatabase(
  title: string,
  body: (freshDatabase: () => Promise<TestDatabase>) => void,
): void {
  describe(`${title}, on the embedded database (sql.js)`, () => body(embedded));
  describeOnPostgres(`${title}, on PostgreSQL`, (name) => describe(name, () => body(postgres)));
}

/**
 * Declares the suite `title` through `declare` when the global setup could start PostgreSQL;
 * otherwise a visible skip of that title (the global setup already printed why).
 */
export function describeOnPostgres(title: string, declare: (title: string) => void): void {
  if (TestEnv.postgresUrl()) {
    declare(title);
  } else {
    describe.skip(`${title} (PostgreSQL not installed)`, () => {
      it('runs when PostgreSQL is installed', () => undefined);
    });
  }
}
