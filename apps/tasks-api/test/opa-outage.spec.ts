import { freePort, startOpa, type RunningOpa } from '../../../scripts/opa-server.mjs';
import { SEED_TASKS } from '../src/database/seed.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Fail closed while OPA is down (503, never an allow), and recover on their own when it is back. */
describe('OPA outage', () => {
  let opa: RunningOpa;
  let port: number;
  let t: TestApp;
  const alice = { type: 'user', id: 'alice' } as const;

  beforeAll(async () => {
    port = await freePort();
    // This suite's own OPA, on a fixed port, so it can be stopped and started again at the same URL.
    opa = await startOpa({ port });
    t = await createTestApp({ OPA_URL: opa.url });
  });
  afterAll(async () => {
    await t?.close();
    await opa?.stop();
  });

  it('serves requests while OPA is up', async () => {
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect((await t.http().get('/health')).status).toBe(200);
  });

  it('answers 503 on guarded routes and on /health while OPA is down', async () => {
    await opa.stop();

    for (const res of [
      await t.as(alice).get('/tasks/t-1'),
      await t.as(alice).get('/tasks'),
      await t.as(alice).post('/tasks', { title: 'x' }),
      await t.as(alice).patch('/tasks/t-1', { title: 'x' }),
      await t.as(alice).delete('/tasks/t-1'),
    ]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Authorization decision unavailable',
      });
    }

    const health = await t.http().get('/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('error');
    expect(health.body.error.opa.status).toBe('down');
    expect(health.body.info.database.status).toBe('up');
    expect(JSON.stringify(health.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('recovers once OPA is back on the same address', async () => {
    opa = await startOpa({ port });
    // The library's circuit breaker keeps failing fast until its half-open probe (1 s by default)
    // succeeds, so recovery is "soon", not "on the very next request".
    await eventually(async () => (await t.as(alice).get('/tasks/t-1')).status === 200, 5000);
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect((await t.as(alice).get('/tasks')).body.items).toHaveLength(SEED_TASKS.length);
    expect((await t.http().get('/health')).status).toBe(200);
  });
});

async function eventually(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
