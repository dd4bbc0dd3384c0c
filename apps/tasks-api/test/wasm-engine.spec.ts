import { jest } from '@jest/globals';
import { join } from 'node:path';
import { buildBundle, devBundleKeys } from '../../../scripts/build-bundle.mjs';
import { freePort, startOpa, type RunningOpa } from '../../../scripts/opa-server.mjs';
import { SEED_TASKS } from '../src/database/seed.js';
import { TestEnv } from './support/environment.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * `AUTHZ_ENGINE=wasm`: point and bulk decisions are answered in process from the signed Wasm
 * bundle, never by OPA (its own request counter proves it); `GET /tasks` still compiles its
 * filter through OPA. With OPA stopped, point routes keep deciding and list routes answer 503.
 */

jest.setTimeout(120_000);

/** OPA's count of requests to one handler (`v1/data`, `v1/compile`), from its `/metrics`. */
async function opaRequests(opa: RunningOpa, handler: string): Promise<number> {
  const text = await (await fetch(`${opa.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('http_request_duration_seconds_count{') &&
      line.includes(`handler="${handler}"`)
    ) {
      total += Number(line.split(' ').pop());
    }
  }
  return total;
}

describe('AUTHZ_ENGINE=wasm', () => {
  let opa: RunningOpa;
  let port: number;
  let t: TestApp;
  const alice = { type: 'user', id: 'alice' } as const;
  const carol = { type: 'user', id: 'carol' } as const;
  const dave = { type: 'user', id: 'dave' } as const;

  beforeAll(async () => {
    const keysDir = join(TestEnv.scratchDir(), 'wasm-bundle-keys');
    const keys = devBundleKeys(keysDir);
    const { output } = buildBundle({
      target: 'wasm',
      signingKey: keys.privateKeyPath,
      output: join(TestEnv.scratchDir(), 'authz-wasm.tar.gz'),
    });
    port = await freePort();
    // This suite's own OPA (for filters), so its counter is this suite's and it can be stopped.
    opa = await startOpa({ port });
    t = await createTestApp({
      OPA_URL: opa.url,
      AUTHZ_ENGINE: 'wasm',
      AUTHZ_WASM_BUNDLE_FILE: output,
      AUTHZ_WASM_PUBLIC_KEY_FILE: keys.publicKeyPath,
    });
  });
  afterAll(async () => {
    await t?.close();
    await opa?.stop();
  });

  it('decides point and bulk in process: OPA sees filters only', async () => {
    const dataBefore = await opaRequests(opa, 'v1/data');
    const compileBefore = await opaRequests(opa, 'v1/compile');

    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(403);
    expect((await t.as(carol).patch('/tasks/t-2', { title: 'edited' })).status).toBe(200);
    expect((await t.as(carol).patch('/tasks/t-4', { title: 'x' })).status).toBe(403);
    // A list: the filter from OPA, each row's actions from the bulk decision in process.
    const list = await t.as(carol).get('/tasks');
    expect(list.status).toBe(200);
    const t2 = list.body.items.find((task: { id: string }) => task.id === 't-2');
    expect(t2.actions).toEqual(['task:read', 'task:update']);

    expect(await opaRequests(opa, 'v1/data')).toBe(dataBefore);
    expect(await opaRequests(opa, 'v1/compile')).toBe(compileBefore + 1);
    await t.reseed();
  });

  it('is ready with the bundle revision in /health', async () => {
    const health = await t.http().get('/health/ready');
    expect(health.status).toBe(200);
    expect(health.body.info.opa).toMatchObject({ status: 'up', engine: 'wasm' });
    expect(health.body.info.opa.revision).toMatch(/^sha256-/);
  });

  it('with OPA stopped: point routes keep deciding, list routes answer 503', async () => {
    await opa.stop();
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(403);
    expect((await t.as(dave).patch('/tasks/t-3', { title: 'mine' })).status).toBe(200);
    const list = await t.as(alice).get('/tasks');
    expect(list.status).toBe(503);
    expect(list.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Authorization decision unavailable',
    });
    opa = await startOpa({ port });
    expect((await t.as(alice).get('/tasks')).body.items).toHaveLength(SEED_TASKS.length);
    await t.reseed();
  });

  it('refuses to start without a readable bundle key', async () => {
    const missing = join(TestEnv.scratchDir(), 'no-such-key.pem');
    await expect(
      createTestApp({
        OPA_URL: opa.url,
        AUTHZ_ENGINE: 'wasm',
        AUTHZ_WASM_BUNDLE_FILE: join(TestEnv.scratchDir(), 'authz-wasm.tar.gz'),
        AUTHZ_WASM_PUBLIC_KEY_FILE: missing,
      }),
    ).rejects.toThrow(/AUTHZ_WASM_PUBLIC_KEY_FILE: cannot read/);
  });
});
