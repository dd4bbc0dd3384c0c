import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { buildBundle } from '../../../../scripts/build-bundle.mjs';
import {
  DEFAULT_POLICIES,
  freePort,
  startOpa,
  type RunningOpa,
} from '../../../../scripts/opa-server.mjs';
import { OpaModule, OpaService, type CompileFilterRequest } from '../../src/index.js';
import { FixturesModule, InMemoryAuthzRepository } from '../support/fixtures.js';
import { BundleServer } from '../support/bundle-server.js';
import { policiesWith } from '../support/wasm-bundle.js';
import { createApp } from '../support/guard-scenario.js';
import { createOpaTesting } from '../support/opa-testing.js';

/**
 * The deployment's policy delivery, end to end on 127.0.0.1: `npm run policies:build` bundles
 * (optimized, signed), a bundle server, and OPA in bundle mode verifying signatures, as the OPA
 * sidecar runs in k8s/. Policy changes reach a running app with no restart; bundles not signed
 * by the release key are rejected; a bundle server outage changes nothing.
 */

async function waitFor(what: string, predicate: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

function writeKeyPair(dir: string, name: string): { privateKey: string; publicKey: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateKey = join(dir, `${name}.key.pem`);
  const publicKey = join(dir, `${name}.pub.pem`);
  writeFileSync(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey, publicKey };
}

describe('policy bundles: signed, optimized, hot-reloaded', () => {
  let dir: string;
  let server: BundleServer;
  let opa: RunningOpa;
  let app: INestApplication | undefined;
  const bundles: Record<'v1' | 'v2' | 'forged', string> = { v1: '', v2: '', forged: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-bundles-'));
    const release = writeKeyPair(dir, 'release');
    const attacker = writeKeyPair(dir, 'attacker');
    const build = (name: keyof typeof bundles, policies: string[], signingKey: string) =>
      (bundles[name] = buildBundle({
        policies,
        signingKey,
        revision: name,
        output: join(dir, `${name}.tar.gz`),
      }).output);
    build('v1', DEFAULT_POLICIES, release.privateKey);
    // v2 changes one custom rule: dave is suspended, which vetoes his ownership grant.
    build(
      'v2',
      policiesWith(dir, 'v2', 'deny contains "subject is suspended" if input.subject.id == "dave"'),
      release.privateKey,
    );
    // Well-formed and signed, but not with the release key: it would grant everything.
    build('forged', policiesWith(dir, 'forged', 'allow := true'), attacker.privateKey);

    server = new BundleServer();
    const serverPort = await freePort();
    await server.listen(serverPort);
    const config = join(dir, 'opa.yaml');
    writeFileSync(
      config,
      [
        'services:',
        '  bundles:',
        `    url: http://127.0.0.1:${serverPort}`,
        'bundles:',
        '  authz:',
        '    service: bundles',
        '    resource: bundles/authz.tar.gz',
        '    polling: { min_delay_seconds: 1, max_delay_seconds: 1 }',
        '    signing: { keyid: bundle-signing }',
        'keys:',
        '  bundle-signing: { algorithm: ES256 }',
        // /v1/status reports each bundle's last error, without shipping status anywhere.
        'status: { prometheus: true }',
        '',
      ].join('\n'),
    );
    // As in k8s/: the public key is a file (a mounted ConfigMap there), read with --set-file.
    opa = await startOpa({
      policies: [],
      // On the console: without it OPA would upload decision logs to the only service there is,
      // the bundle server, and wait for them when stopped.
      decisionLogs: true,
      args: ['--config-file', config, '--set-file', `keys.bundle-signing.key=${release.publicKey}`],
    });
  });

  afterAll(async () => {
    await app?.close();
    await opa?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bundlesReady = () =>
    fetch(`${opa.url}/health?bundles`).then(
      (r) => r.ok,
      () => false,
    );
  const activeRevision = async (): Promise<string | undefined> => {
    const res = await fetch(`${opa.url}/v1/data/system/bundles/authz/manifest/revision`);
    return ((await res.json()) as { result?: string }).result;
  };
  const bundleStatus = async () => {
    const res = await fetch(`${opa.url}/v1/status`);
    const body = (await res.json()) as {
      result: { bundles: { authz: { active_revision?: string; code?: string; message?: string } } };
    };
    return body.result.bundles.authz;
  };
  /** Waits until OPA has polled `n` more times, so whatever it got has been processed. */
  const polls = async (n: number) => {
    const target = server.requests + n;
    await waitFor(`${n} bundle polls`, async () => server.requests >= target);
    await new Promise((r) => setTimeout(r, 200));
  };
  const read = (task: string, subject: string) =>
    request(app!.getHttpServer()).get(`/tasks/${task}`).set('x-subject', subject);

  it('is not ready until a signed bundle is activated, then serves its decisions', async () => {
    await polls(2);
    expect(await bundlesReady()).toBe(false);
    expect(await activeRevision()).toBeUndefined();

    server.serve(bundles.v1, 'v1');
    await waitFor('the v1 bundle to be active', bundlesReady);
    expect(await activeRevision()).toBe('v1');

    @Module({
      imports: [
        OpaModule.forRoot({ url: opa.url, timeout: 1000, repository: InMemoryAuthzRepository }),
        FixturesModule,
      ],
    })
    class AppModule {}
    app = await createApp(AppModule, 'express');
    await read('t-1', 'user:alice').expect(200);
    await read('t-3', 'user:dave').expect(200); // dave created t-3
    await read('t-1', 'user:dave').expect(403);
    await read('t-1', 'user:erin').expect(403); // banned
  });

  it('partially evaluates `include` from the optimized bundle exactly like the sources', async () => {
    const bundled = app!.get(OpaService);
    // The same library against the shared OPA of the integration project (engine and sample sources).
    const { moduleRef, opa: sources } = await createOpaTesting();
    try {
      const roles = {
        viewer: { permissions: ['task:read', 'task:list'] },
        editor: { permissions: ['task:read', 'task:list', 'task:update'] },
      };
      const carol = { type: 'user', id: 'carol' };
      const requests: Omit<CompileFilterRequest, 'action' | 'resourceType' | 'roles'>[] = [
        { subject: { type: 'user', id: 'dave' }, bindings: [] },
        {
          subject: carol,
          bindings: [
            { subject: carol, role: 'viewer', scope: null },
            { subject: carol, role: 'editor', scope: { type: 'Task', id: 't-2' } },
          ],
        },
      ];
      for (const action of ['task:read', 'task:update']) {
        for (const r of requests) {
          const filter = { ...r, action, resourceType: 'Task', roles };
          expect(await bundled.compileFilter(filter)).toEqual(await sources.compileFilter(filter));
        }
      }
      // Not trivially equal: dave's ownership grant is a residual condition on created_by.
      const daveUpdates = await bundled.compileFilter({
        ...requests[0],
        action: 'task:update',
        resourceType: 'Task',
        roles,
      });
      expect(daveUpdates).toMatchObject({ kind: 'conditions' });
      expect(JSON.stringify(daveUpdates)).toContain('dave');
    } finally {
      await moduleRef.close();
    }
  });

  it('picks up a changed policy with no restart: the same request flips from 200 to 403', async () => {
    server.serve(bundles.v2, 'v2');
    await waitFor('the v2 bundle to be active', async () => (await activeRevision()) === 'v2');
    await read('t-3', 'user:dave').expect(403);
    await read('t-1', 'user:alice').expect(200);
  });

  it('rejects a bundle not signed with the release key and keeps serving the last good one', async () => {
    server.serve(bundles.forged, 'forged');
    await waitFor('the forged bundle to be rejected', async () => {
      const status = await bundleStatus();
      return status.code === 'bundle_error';
    });
    const status = await bundleStatus();
    expect(status.message).toMatch(/signature/i);
    expect(status.active_revision).toBe('v2');
    expect(await activeRevision()).toBe('v2');
    expect(await bundlesReady()).toBe(true);
    // The forged policy would allow everything: nothing changed.
    await read('t-3', 'user:dave').expect(403);
    await read('t-1', 'user:erin').expect(403);
  });

  it('keeps deciding when the bundle server goes away', async () => {
    server.serve(bundles.v2, 'v2');
    await waitFor('the v2 bundle to be fetched again', async () => !(await bundleStatus()).code);
    await server.close();
    await new Promise((r) => setTimeout(r, 2500)); // two failed polls
    expect((await bundleStatus()).code).toBe('bundle_error');
    expect(await activeRevision()).toBe('v2');
    expect(await bundlesReady()).toBe(true);
    await read('t-1', 'user:alice').expect(200);
    await read('t-3', 'user:dave').expect(403);
  });
});
