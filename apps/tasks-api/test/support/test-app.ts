import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { seedDatabase } from '../../src/database/seed.js';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { TestEnv } from './environment.js';
import { tokenFor, type TestSubject } from './tokens.js';

export interface TestApp {
  app: INestApplication;
  dataSource: DataSource;
  /** A supertest agent on the listening server. */
  http: () => ReturnType<typeof request>;
  /** A supertest agent on the metrics server (its own port): `t.metricsHttp().get('/metrics')`. */
  metricsHttp: () => ReturnType<typeof request>;
  /** Sends a request as `subject` (a `Bearer` token signed with the development key). */
  as: (subject: TestSubject) => AuthenticatedClient;
  /** Puts the seed data back, undoing every write. */
  reseed: () => Promise<void>;
  close: () => Promise<void>;
}

export interface AuthenticatedClient {
  get(path: string): Promise<request.Response>;
  delete(path: string): Promise<request.Response>;
  post(path: string, body: object): Promise<request.Response>;
  patch(path: string, body: object): Promise<request.Response>;
}

/** A fresh, empty `DATA_DIR` for the embedded database. */
export function freshDataDir(): string {
  return mkdtempSync(join(TestEnv.scratchDir(), 'data-'));
}

/** A new, empty database on the test cluster, so test files never share rows. */
export async function freshPostgresDatabase(): Promise<string> {
  const serverUrl = TestEnv.postgresUrl();
  if (!serverUrl) throw new Error('No PostgreSQL cluster was started');
  const name = `tasks_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Boots the real app (real OPA, real database) on 127.0.0.1 with a free port. `env` overrides the
 * defaults: the global OPA and a fresh embedded database.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        OPA_URL: TestEnv.opaUrl(),
        DATA_DIR: env.DATABASE_URL ? undefined : freshDataDir(),
        JWT_KEYS_DIR: process.env.JWT_KEYS_DIR,
        // Any free port, so apps side by side never collide on the default 9464.
        METRICS_PORT: '0',
        ...env,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({
    logger: process.env.TASKS_API_TEST_LOGS ? ['error', 'warn'] : false,
  });
  await app.listen(0, '127.0.0.1');
  const dataSource = app.get(DataSourceToken);
  const http = () => request(app.getHttpServer());
  const metricsOrigin = new URL(app.get(MetricsServer).url!).origin;
  const metricsHttp = () => request(metricsOrigin);
  const as = (subject: TestSubject): AuthenticatedClient => {
    const send = async (test: request.Test, body?: object) => {
      const authorized = test.set('Authorization', `Bearer ${await tokenFor(subject)}`);
      return body === undefined ? authorized : authorized.send(body);
    };
    return {
      get: (path) => send(http().get(path)),
      delete: (path) => send(http().delete(path)),
      post: (path, body) => send(http().post(path), body),
      patch: (path, body) => send(http().patch(path), body),
    };
  };
  return {
    app,
    dataSource,
    http,
    metricsHttp,
    as,
    reseed: async () => {
      await seedDatabase(dataSource, { reset: true });
    },
    close: () => app.close(),
  };
}
