import { jest } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { register } from 'prom-client';
import { freePort } from '../../../../scripts/opa-server.mjs';
import {
  AuthorizeList,
  DecisionEngine,
  OpaModule,
  OpaNotReadyError,
  OpaService,
  WasmDecisionEngine,
  type CheckRequest,
} from '../../src/index.js';
import { OpaMetricsObserver } from '../../src/prometheus/index.js';
import { readBundleArchive } from '../../src/wasm/bundle.archive.js';
import { BundleServer } from '../support/bundle-server.js';
import { writeBundle } from '../support/bundle-writer.js';
import { daveUpdatesT3 } from '../support/seed.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { FixturesModule } from '../support/fixtures.js';
import { buildWasmBundle, policiesWith, signingKeys } from '../support/wasm-bundle.js';

/**
 * The in-process engine's policy delivery on 127.0.0.1: signed Wasm bundles pulled with ETag
 * polling, swapped in atomically, refused (keeping the last good one) when forged, tampered or
 * broken, with the refusal in status and metrics; not ready until a bundle is active.
 */

jest.setTimeout(120_000);

/** Granted by the forged bundle only. */
const malloryDeletes: CheckRequest = {
  ...daveUpdatesT3,
  subject: { type: 'user', id: 'mallory' },
  action: 'task:delete',
};

describe('Wasm engine: signed bundles, hot reload', () => {
  let dir: string;
  let server: BundleServer;
  let url: string;
  let release: ReturnType<typeof signingKeys>;
  const bundles: Record<'v1' | 'v2' | 'forged', string> = { v1: '', v2: '', forged: '' };
  let moduleRef: Awaited<ReturnType<ReturnType<typeof Test.createTestingModule>['compile']>>;
  let opa: OpaService;
  let engine: WasmDecisionEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-wasm-bundles-'));
    release = signingKeys(dir, 'release');
    const attacker = signingKeys(dir, 'attacker');
    bundles.v1 = buildWasmBundle({ dir, name: 'v1', signingKey: release.privateKey });
    bundles.v2 = buildWasmBundle({
      dir,
      name: 'v2',
      signingKey: release.privateKey,
      policies: policiesWith(
        dir,
        'v2',
        'deny contains "subject is suspended" if input.subject.id == "dave"',
      ),
    });
    bundles.forged = buildWasmBundle({
      dir,
      name: 'forged',
      signingKey: attacker.privateKey,
      policies: policiesWith(dir, 'forged', 'allow := true'),
    });
    server = new BundleServer();
    const port = await freePort();
    await server.listen(port);
    url = `http://127.0.0.1:${port}/bundles/authz-wasm.tar.gz`;
    register.resetMetrics();
    moduleRef = await Test.createTestingModule({
      imports: [
        OpaModule.forRoot({
          engine: 'wasm',
          auditLog: false,
          globalGuard: false,
          cache: { ttl: 60_000, denyTtl: 60_000 },
          // Polled by the test (reload()), so every step is deterministic.
          wasm: { bundle: { url, publicKey: release.publicKey, pollingInterval: 0 } },
          observers: [OpaMetricsObserver],
        }),
      ],
    }).compile();
    await moduleRef.init();
    opa = moduleRef.get(OpaService);
    engine = moduleRef.get(WasmDecisionEngine);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const metric = async (name: string) => (await register.getSingleMetricAsString(name)) ?? '';

  it('is not ready and decides nothing (503 in the guard) before a bundle is active', async () => {
    expect(engine.status()).toMatchObject({ ready: false });
    expect(engine.status().lastError).toContain('HTTP 503');
    await expect(opa.check(daveUpdatesT3)).rejects.toBeInstanceOf(OpaNotReadyError);
    await expect(opa.health()).rejects.toBeInstanceOf(OpaNotReadyError);
    await expect(
      opa.checkMany({
        ...daveUpdatesT3,
        items: [{ action: 'task:read', resource: daveUpdatesT3.resource }],
      }),
    ).rejects.toBeInstanceOf(OpaNotReadyError);
  });

  it('activates a signed bundle, then polls with If-None-Match and keeps it', async () => {
    server.serve(bundles.v1, 'v1');
    await engine.reload();
    expect(engine.status()).toEqual({ ready: true, revision: 'v1' });
    await expect(opa.health()).resolves.toBeUndefined();
    const decision = await opa.check(daveUpdatesT3);
    expect(decision.permit).toBe(true);
    // Minted locally, as a UUID, for the audit line.
    expect(decision.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    await engine.reload();
    expect(server.lastIfNoneMatch).toBe('"v1"');
    expect(await metric('opa_bundle_loads_total')).toContain('outcome="activated"} 1');
  });

  it('swaps in a new bundle with no restart; no decision fails or sees a half-loaded policy', async () => {
    server.serve(bundles.v2, 'v2');
    const answers: boolean[] = [];
    let reloading = true;
    const loop = (async () => {
      while (reloading) {
        answers.push((await opa.check({ ...daveUpdatesT3, action: 'task:read' })).permit);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await engine.reload();
    reloading = false;
    await loop;
    expect(engine.status()).toEqual({ ready: true, revision: 'v2' });
    // v1 lets dave read his task, v2 suspends him: every answer is one or the other, none failed.
    expect(answers.length).toBeGreaterThan(0);
    // The cached v1 permit is dropped with the swap.
    expect((await opa.check(daveUpdatesT3)).permit).toBe(false);
    expect((await opa.check(daveUpdatesT3)).raw).toMatchObject({
      reasons: ['subject is suspended'],
    });
  });

  it('refuses a bundle signed by another key, keeps the last good one, shows it', async () => {
    server.serve(bundles.forged, 'forged');
    await engine.reload();
    expect(engine.status()).toMatchObject({ ready: true, revision: 'v2' });
    expect(engine.status().lastError).toContain('does not verify');
    expect((await opa.check(malloryDeletes)).permit).toBe(false);
    expect(await metric('opa_bundle_failing')).toContain('opa_bundle_failing 1');
    expect(await metric('opa_bundle_loads_total')).toContain('outcome="rejected"} 1');
  });

  it('refuses tampered, unsigned, extra-file and broken-module bundles', async () => {
    const wasm = readBundleArchive(readFileSync(bundles.v1), 1 << 26).get('policy.wasm')!;
    const manifest = '{"revision":"evil","roots":[""]}';
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'tampered',
        tamper(
          writeBundle(
            { 'policy.wasm': wasm, '.manifest': manifest },
            { privateKey: readFileSync(release.privateKey, 'utf8') },
          ),
        ),
        /does not match its signed hash/,
      ],
      ['unsigned', writeBundle({ 'policy.wasm': wasm, '.manifest': manifest }), /not signed/],
      [
        'extra file',
        writeBundle(
          { 'policy.wasm': wasm, '.manifest': manifest },
          {
            privateKey: readFileSync(release.privateKey, 'utf8'),
            extra: { 'data.json': '{"x":1}' },
          },
        ),
        /"data.json" is in the bundle but not in its signature/,
      ],
      [
        'broken module',
        writeBundle(
          { 'policy.wasm': Buffer.from('\0asm garbage'), '.manifest': manifest },
          { privateKey: readFileSync(release.privateKey, 'utf8') },
        ),
        /policy.wasm does not load/,
      ],
      ['not gzip', Buffer.from('hello'), /not a gzip archive/],
    ];
    for (const [name, body, reason] of cases) {
      server.serve(body, name);
      await engine.reload();
      expect({ name, status: engine.status() }).toMatchObject({
        name,
        status: { ready: true, revision: 'v2', lastError: expect.stringMatching(reason) },
      });
    }
    expect((await opa.check(malloryDeletes)).permit).toBe(false);
  });

  it('recovers when a good bundle comes back', async () => {
    server.serve(bundles.v1, 'v1-again');
    await engine.reload();
    expect(engine.status()).toEqual({ ready: true, revision: 'v1' });
    expect(await metric('opa_bundle_failing')).toContain('opa_bundle_failing 0');
  });

  it('answers a whole batch with the policy active when it started, whatever swaps in between chunks', async () => {
    // v1 lets dave read his task, v2 suspends him; 3 chunks of 200, and v2 activates while the
    // batch yields after its first chunk.
    const items = Array.from({ length: 600 }, () => ({
      action: 'task:read',
      resource: daveUpdatesT3.resource,
    }));
    const batch = { ...daveUpdatesT3, items };
    server.serve(bundles.v2, 'v2-again');
    const yieldOnce = setImmediate;
    let swap: Promise<void> | undefined;
    const spy = jest.spyOn(global, 'setImmediate').mockImplementationOnce(((resume: () => void) => {
      swap = engine.reload().then(() => void yieldOnce(resume));
      return undefined as unknown as NodeJS.Immediate;
    }) as unknown as typeof setImmediate);
    let permits: boolean[];
    try {
      permits = (await opa.checkMany(batch)).map((verdict) => verdict.permit);
    } finally {
      spy.mockRestore();
    }
    await swap;
    expect(swap).toBeDefined();
    expect(engine.status()).toMatchObject({ revision: 'v2' });
    expect(new Set(permits)).toEqual(new Set([true]));
    // The next batch is v2's throughout.
    const after = (await opa.checkMany(batch)).map((verdict) => verdict.permit);
    expect(new Set(after)).toEqual(new Set([false]));
  });
});

/** Flips one byte inside the first file's data (past its 512-byte tar header). */
function tamper(archive: Buffer): Buffer {
  const tar = gunzipSync(archive);
  tar[600] = tar[600]! ^ 0xff;
  return gzipSync(tar);
}

@Controller('reports')
class ReportsController {
  @Get()
  @AuthorizeList('task:list', { resource: 'Task' })
  list() {
    return [];
  }
}

@Module({ controllers: [ReportsController] })
class ListRouteModule {}

describe('Wasm engine: what it cannot do', () => {
  let dir: string;
  let keys: ReturnType<typeof signingKeys>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-wasm-limits-'));
    keys = signingKeys(dir, 'release');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an @AuthorizeList() route and no OPA server for filters', async () => {
    const file = buildWasmBundle({ dir, name: 'ok', signingKey: keys.privateKey });
    const moduleRef = await Test.createTestingModule({
      imports: [
        FixturesModule,
        ListRouteModule,
        OpaModule.forRoot({
          engine: 'wasm',
          auditLog: false,
          wasm: { bundle: { file, publicKey: keys.publicKey, pollingInterval: 0 } },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      /engine 'wasm' without `url` cannot filter lists[\s\S]*GET \/reports \(ReportsController.list\)/,
    );
    await app.close();
  });

  it('writes the audit line with the locally minted decision id and the active revision', async () => {
    const file = buildWasmBundle({ dir, name: 'audited', signingKey: keys.privateKey });
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        OpaModule.forRoot({
          engine: 'wasm',
          globalGuard: false,
          wasm: { bundle: { file, publicKey: keys.publicKey, pollingInterval: 0 } },
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    await moduleRef.init();
    try {
      const decision = await moduleRef.get(OpaService).check(daveUpdatesT3);
      expect(logger.messages('OpaAudit')).toEqual([
        { event: 'authz.bundle', outcome: 'activated', revision: 'audited' },
        expect.objectContaining({
          event: 'authz.decision',
          subject: 'user:dave',
          outcome: 'permit',
          source: 'wasm',
          decisionId: decision.decisionId,
        }),
      ]);
    } finally {
      await moduleRef.close();
    }
  });

  it('without `url`: filters and OPA calls fail with a typed error, never a default address', async () => {
    const file = buildWasmBundle({ dir, name: 'no-url', signingKey: keys.privateKey });
    const moduleRef = await Test.createTestingModule({
      imports: [
        OpaModule.forRoot({
          engine: 'wasm',
          auditLog: false,
          globalGuard: false,
          wasm: { bundle: { file, publicKey: keys.publicKey, pollingInterval: 0 } },
        }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const opa = moduleRef.get(OpaService);
      await expect(opa.compileFilter({ ...daveUpdatesT3, resourceType: 'Task' })).rejects.toThrow(
        /compileFilter needs an OPA server/,
      );
      await expect(opa.evaluate('authz/decision', {})).rejects.toBeInstanceOf(OpaNotReadyError);
      // Decisions need no server.
      expect((await opa.check(daveUpdatesT3)).permit).toBe(true);
    } finally {
      await moduleRef.close();
    }
  });

  it("binds the engine from forRootAsync's top-level `engine: 'wasm'`, the factory giving the bundle", async () => {
    const file = buildWasmBundle({ dir, name: 'async', signingKey: keys.privateKey });
    const moduleRef = await Test.createTestingModule({
      imports: [
        OpaModule.forRootAsync({
          engine: 'wasm',
          globalGuard: false,
          useFactory: () => ({
            auditLog: false,
            wasm: { bundle: { file, publicKey: keys.publicKey, pollingInterval: 0 } },
          }),
        }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      expect(moduleRef.get(DecisionEngine)).toBe(moduleRef.get(WasmDecisionEngine));
      expect(moduleRef.get(WasmDecisionEngine).status()).toEqual({
        ready: true,
        revision: 'async',
      });
      // No url and no default address: a decision answered here cannot have come from a server.
      expect((await moduleRef.get(OpaService).check(daveUpdatesT3)).permit).toBe(true);
    } finally {
      await moduleRef.close();
    }
  });

  it('fails the bundle build of a rule that needs http.send, saying why', () => {
    const policies = policiesWith(
      dir,
      'http',
      'allow if http.send({"method": "GET", "url": "http://127.0.0.1:1/"}).status_code == 200',
    );
    expect(() =>
      buildWasmBundle({ dir, name: 'http', signingKey: keys.privateKey, policies }),
    ).toThrow(/built-in function\(s\) the Wasm engine cannot run: http.send/);
  });
});
