import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OpaModule,
  OpaService,
  WasmDecisionEngine,
  type CheckRequest,
  type OpaModuleOptions,
  type Subject,
} from '../../src/index.js';
import { regoTestInputs } from '../support/rego-test-inputs.js';
import { bindingsOf, seedBindings, seedRoles, seedSubjects, seedTasks } from '../support/seed.js';
import { buildWasmBundle, signingKeys } from '../support/wasm-bundle.js';

/**
 * The Wasm build of the policy answers exactly what the OPA server answers: every input the Rego
 * tests use, then a matrix over the seed model with odd shapes, point and bulk, compared on the
 * whole result document (reasons included) and through OpaService on both engines.
 */

const opaUrl = () => process.env.OPA_URL!;

async function service(options: OpaModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [OpaModule.forRoot({ globalGuard: false, auditLog: false, ...options })],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** OPA's answer for a rule of package authz, as the raw result document. */
async function server(rule: 'decision' | 'decisions', input: unknown): Promise<unknown> {
  const response = await fetch(`${opaUrl()}/v1/data/authz/${rule}`, {
    method: 'POST',
    body: JSON.stringify({ input }),
  });
  if (!response.ok) throw new Error(`OPA answered ${response.status}`);
  return ((await response.json()) as { result?: unknown }).result;
}

/** A bulk input's queries as point inputs: the query's own keys over the shared ones. */
function bulkQueriesOf(input: unknown): unknown[] {
  const record = input as { queries?: unknown } | null;
  if (typeof record !== 'object' || record === null || !Array.isArray(record.queries)) return [];
  const { queries, ...shared } = record as { queries: unknown[] };
  return queries.map((query) => ({ ...shared, ...(query as object) }));
}

const huge = 'x'.repeat(10_000);
const oddSubjects: unknown[] = [
  { type: 'user', id: 'alice', attributes: {} },
  { type: 'user', id: 'erin', attributes: { banned: 'true' } },
  { type: 'user', id: 'erin', attributes: { banned: false } },
  { id: 'alice' },
  { type: 'user', id: 42 },
  { type: 'user', id: huge },
  'alice',
  null,
];
const actions: unknown[] = [
  'task:read',
  'task:update',
  'task:delete',
  'task:create',
  'task:list',
  'task:audit',
  'unknown:do',
  '',
  42,
  null,
];
const resources: unknown[] = [
  ...seedTasks.map((task) => ({ type: 'Task', ...task })),
  // Ownership needs the creator's type: the seed's are users'; a token's, and an ill-typed one.
  { type: 'Task', id: 't-5', created_by: 'ci-bot', created_by_type: 'token', status: 'open' },
  { type: 'Task', id: 't-6', created_by: 'carol', created_by_type: ['user'], status: 'open' },
  { type: 'Task', id: null },
  { type: 'Task' },
  { type: 'Task', id: 2, created_by: 'bob', status: 'open' },
  { type: 'Task', id: huge, created_by: 'carol', status: 'open' },
  { type: 'Task', id: 't-9', created_by: { id: 'carol' }, status: ['archived'] },
  { type: 'Doc', id: 't-2' },
  'Task',
];

// Thousands of OPA round trips and an `opa test` run on a shared 2-core box.
jest.setTimeout(300_000);

describe('Wasm engine parity with the OPA server', () => {
  let dir: string;
  let wasm: Awaited<ReturnType<typeof service>>;
  let opa: Awaited<ReturnType<typeof service>>;
  let engine: WasmDecisionEngine;
  let compared = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-parity-'));
    const keys = signingKeys(dir, 'release');
    const file = buildWasmBundle({ dir, name: 'parity', signingKey: keys.privateKey });
    wasm = await service({
      engine: 'wasm',
      url: opaUrl(),
      wasm: { bundle: { file, publicKey: keys.publicKey, pollingInterval: 0 } },
    });
    opa = await service({ url: opaUrl() });
    engine = wasm.get(WasmDecisionEngine);
    expect(engine.status()).toEqual({ ready: true, revision: 'parity' });
  });

  afterAll(async () => {
    await wasm?.close();
    await opa?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectSame(rule: 'decision' | 'decisions', input: unknown) {
    const json = JSON.stringify(input);
    const local = engine.evaluate(rule, json);
    expect({ input, answer: local }).toEqual({ input, answer: await server(rule, input) });
    compared++;
  }

  it('answers every input of the Rego tests like the server (decision and decisions)', async () => {
    const inputs = regoTestInputs(dir);
    // The suite has about a hundred `with input as`, many in comprehensions: far more inputs.
    expect(inputs.length).toBeGreaterThan(100);
    for (const input of inputs) {
      await expectSame('decision', input);
      await expectSame('decisions', input);
      // Each bulk query as the point input the Rego suite compares it with (_point_permit).
      for (const query of bulkQueriesOf(input)) await expectSame('decision', query);
    }
  });

  it('answers the seed matrix with odd shapes like the server, point and bulk', async () => {
    const subjects = [...seedSubjects.map((s) => ({ attributes: {}, ...s })), ...oddSubjects];
    const bindingSets: unknown[] = [seedBindings, [], 'garbage', [{ role: 'admin' }]];
    for (const subject of subjects) {
      for (const bindings of bindingSets.slice(0, subject === null ? 4 : 2)) {
        const queries = [];
        for (const action of actions) {
          for (const resource of resources) {
            const input = { subject, action, resource, roles: seedRoles, bindings };
            await expectSame('decision', input);
            queries.push({ action, resource });
          }
        }
        // Shared subject, per-query subjects, resource positions and broken positions.
        const shared = { subject, roles: seedRoles, bindings };
        await expectSame('decisions', { ...shared, queries });
        await expectSame('decisions', {
          ...shared,
          resources,
          queries: queries.map((q, i) => ({
            action: q.action,
            resource_index: i % (resources.length + 2),
          })),
        });
        await expectSame('decisions', {
          roles: seedRoles,
          queries: queries.map((q) => ({ ...q, subject: seedSubjects[1], bindings })),
        });
      }
    }
    // Missing keys and wrong types at the top level.
    for (const input of [{}, [], 'x', 1, { queries: 'x' }, { subject: seedSubjects[0] }]) {
      await expectSame('decision', input);
      await expectSame('decisions', input);
    }
    expect(compared).toBeGreaterThan(1500);
  });

  it('reads non-ASCII text and an input larger than its memory exactly as the server does', async () => {
    // The input is encoded straight into Wasm memory: multi-byte characters must arrive whole,
    // and an input past the memory's end must grow it rather than be cut.
    const memory = () => (engine as unknown as { active: { bytes: Uint8Array } }).active.bytes;
    const before = memory().byteLength;
    const subject = { type: 'user', id: 'zoë-😀-漢字', attributes: { note: '\u0000ü' } };
    const others = Array.from({ length: 1 + before / 60 }, (_, i) => ({
      subject: { type: 'user', id: `other-${i}-ö` },
      role: 'admin',
      scope: null,
    }));
    const bindings = [...others, { subject: { type: 'user', id: subject.id }, role: 'viewer' }];
    for (const action of ['task:read', 'task:update']) {
      const input = {
        subject,
        action,
        resource: { type: 'Task', id: 't-1' },
        roles: seedRoles,
        bindings,
      };
      await expectSame('decision', input);
      expect(engine.evaluate('decision', JSON.stringify(input))).toMatchObject({
        permit: action === 'task:read',
      });
    }
    expect(memory().byteLength).toBeGreaterThan(before);
  });

  it('gives the same check and checkMany answers through OpaService on both engines', async () => {
    const viaWasm = wasm.get(OpaService);
    const viaOpa = opa.get(OpaService);
    const pointActions = ['task:read', 'task:update', 'task:delete', 'task:create', 'task:list'];
    for (const subject of seedSubjects as Subject[]) {
      const items = pointActions.flatMap((action) =>
        [...seedTasks, { id: null }].map(({ id, ...attributes }) => ({
          action,
          resource: { type: 'Task', id, attributes },
        })),
      );
      for (const { action, resource } of items) {
        const request: CheckRequest = {
          subject,
          action,
          resource,
          roles: seedRoles,
          bindings: bindingsOf(subject),
        };
        const [local, remote] = await Promise.all([viaWasm.check(request), viaOpa.check(request)]);
        expect({ request, raw: local.raw, permit: local.permit }).toEqual({
          request,
          raw: remote.raw,
          permit: remote.permit,
        });
      }
      // 3 x 250 items: several chunks, so the yielding path is compared too.
      const many = { subject, roles: seedRoles, bindings: bindingsOf(subject) };
      const big = Array.from({ length: 25 }, () => items).flat();
      // Decision ids differ by nature (minted per batch here, by OPA there): compare the rest.
      const answers = async (service: OpaService) =>
        (await service.checkMany({ ...many, items: big })).map(({ decisionId, ...verdict }) => {
          expect(decisionId).toEqual(expect.any(String));
          return verdict;
        });
      expect(await answers(viaWasm)).toEqual(await answers(viaOpa));
    }
  });
});
