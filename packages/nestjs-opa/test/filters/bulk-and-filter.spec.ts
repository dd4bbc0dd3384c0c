import { Injectable, type Type } from '@nestjs/common';
import {
  UndiciTransport,
  UnsupportedResidualError,
  type OpaHttpRequest,
  type OpaModuleOptions,
  type OpaTransport,
  matchesFilter,
  type ResourceFilter,
} from '../../src/index.js';
import { checkFilterConsistency } from '../../src/testing/index.js';
import {
  bindingsOf,
  seedFilterRequest,
  seedRoles,
  seedSubjects,
  seedTasks,
} from '../support/seed.js';
import { createOpaTesting } from '../support/opa-testing.js';

const actions = ['task:read', 'task:update', 'task:delete'];
const resourceOf = (task: (typeof seedTasks)[number]) => ({
  type: 'Task',
  id: task.id,
  attributes: {
    created_by: task.created_by,
    created_by_type: task.created_by_type,
    status: task.status,
  },
});

/** The real undici transport, remembering how many queries and rows each bulk call carried. */
@Injectable()
class ChunkRecordingTransport extends UndiciTransport {
  static readonly chunkSizes: number[] = [];
  static readonly rowCounts: number[] = [];

  override send(request: OpaHttpRequest) {
    if (request.path.endsWith('/decisions')) {
      const { input } = JSON.parse(request.body!) as {
        input: { queries: unknown[]; resources: unknown[] };
      };
      ChunkRecordingTransport.chunkSizes.push(input.queries.length);
      ChunkRecordingTransport.rowCounts.push(input.resources.length);
    }
    return super.send(request);
  }
}

async function createService(
  options: Pick<OpaModuleOptions, 'bulkChunkSize' | 'policyPackage'> & {
    transport?: Type<OpaTransport>;
  } = {},
) {
  const { opa } = await createOpaTesting(options);
  return opa;
}

describe('OpaService.checkMany against OPA', () => {
  it.each(seedSubjects.map((s) => [`${s.type}:${s.id}`, s] as const))(
    'agrees with point checks for %s, in order',
    async (_name, subject) => {
      const opa = await createService();
      const bindings = bindingsOf(subject);
      const items = seedTasks.flatMap((task) =>
        actions.map((action) => ({ action, resource: resourceOf(task) })),
      );
      const verdicts = await opa.checkMany({ subject, roles: seedRoles, bindings, items });
      const expected = await Promise.all(
        items.map(
          async (item) =>
            (await opa.check({ subject, roles: seedRoles, bindings, ...item })).permit,
        ),
      );
      expect(verdicts.map((v) => v.permit)).toEqual(expected);
      expect(verdicts.map((v) => [v.action, v.resource.id])).toEqual(
        items.map((i) => [i.action, i.resource.id]),
      );
    },
  );

  it('splits large batches into chunks and keeps the order', async () => {
    const opa = await createService({ bulkChunkSize: 5 });
    const subject = seedSubjects[2]!; // carol: viewer everywhere, editor on t-2, owns archived t-4
    const items = Array.from({ length: 23 }, (_, i) => ({
      action: 'task:update',
      resource: resourceOf(seedTasks[i % seedTasks.length]!),
    }));
    const verdicts = await opa.checkMany({
      subject,
      roles: seedRoles,
      bindings: bindingsOf(subject),
      items,
    });
    expect(verdicts.map((v) => v.permit)).toEqual(items.map((i) => i.resource.id === 't-2'));
  });

  it('splits evenly, so the parallel calls finish together', async () => {
    const opa = await createService({ bulkChunkSize: 10, transport: ChunkRecordingTransport });
    const subject = seedSubjects[2]!;
    const items = Array.from({ length: 23 }, (_, i) => ({
      action: 'task:read',
      resource: resourceOf(seedTasks[i % seedTasks.length]!),
    }));
    ChunkRecordingTransport.chunkSizes.length = 0;
    await opa.checkMany({ subject, roles: seedRoles, bindings: bindingsOf(subject), items });
    expect(ChunkRecordingTransport.chunkSizes.sort()).toEqual([7, 8, 8]);
  });

  it('sends a row asked for several actions once and still agrees with point checks', async () => {
    const opa = await createService({ transport: ChunkRecordingTransport });
    const subject = seedSubjects[2]!;
    const bindings = bindingsOf(subject);
    // A page of rows times actions, built as apps do: a fresh resource object per item.
    const items = seedTasks.flatMap((task) =>
      actions.map((action) => ({ action, resource: resourceOf(task) })),
    );
    ChunkRecordingTransport.chunkSizes.length = 0;
    ChunkRecordingTransport.rowCounts.length = 0;
    const verdicts = await opa.checkMany({ subject, roles: seedRoles, bindings, items });
    expect(ChunkRecordingTransport.rowCounts).toEqual([seedTasks.length]);
    expect(ChunkRecordingTransport.chunkSizes).toEqual([items.length]);
    const expected = await Promise.all(
      items.map(
        async (item) => (await opa.check({ subject, roles: seedRoles, bindings, ...item })).permit,
      ),
    );
    expect(verdicts.map((v) => v.permit)).toEqual(expected);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
  });

  it('answers an empty batch without calling OPA', async () => {
    const opa = await createService({ policyPackage: 'no.such.package' });
    await expect(
      opa.checkMany({ subject: seedSubjects[0]!, roles: {}, bindings: [], items: [] }),
    ).resolves.toEqual([]);
  });
});

describe('OpaService.compileFilter against OPA', () => {
  const cases = seedSubjects.flatMap((subject) =>
    [...actions, 'task:list'].map(
      (action) => [`${subject.type}:${subject.id}`, action, subject] as const,
    ),
  );

  it.each(cases)(
    'keeps exactly the rows point checks permit: %s %s',
    async (_name, action, subject) => {
      const opa = await createService();
      const report = await checkFilterConsistency({
        opa,
        request: seedFilterRequest(subject, action),
        rows: seedTasks,
        key: (task) => task.id,
        toResource: (task) => resourceOf(task),
      });
      expect(report).toMatchObject({ consistent: true, missing: [], extra: [] });
    },
  );

  it.each([
    ['a global admin reading', 'alice', 'task:read', { kind: 'always' }],
    ['a banned editor reading', 'erin', 'task:read', { kind: 'never' }],
    ['a subject with no rights deleting', 'mallory', 'task:delete', { kind: 'never' }],
  ] as const)('compiles %s to a constant', async (_label, id, action, expected) => {
    const opa = await createService();
    const subject = seedSubjects.find((s) => s.type === 'user' && s.id === id)!;
    const filter = await opa.compileFilter(seedFilterRequest(subject, action));
    expect(filter).toEqual(expected);
  });

  it('compiles an instance grant plus ownership, minus the archived veto', async () => {
    const opa = await createService();
    const carol = seedSubjects[2]!;
    const filter = await opa.compileFilter(seedFilterRequest(carol, 'task:update'));
    expect(filter.kind).toBe('conditions');
    const visible = seedTasks
      .filter((t) => matchesFilter(filter as ResourceFilter, t))
      .map((t) => t.id);
    expect(visible).toEqual(['t-2']);
    // A new task carol creates is hers to update; one she creates and archives is not, nor one
    // the token `carol` created, nor one whose creator type is unknown.
    const mine = { id: 't-9', created_by: 'carol', created_by_type: 'user' };
    expect(matchesFilter(filter, { ...mine, status: 'open' })).toBe(true);
    expect(matchesFilter(filter, { ...mine, status: 'archived' })).toBe(false);
    expect(matchesFilter(filter, { ...mine, status: null })).toBe(true);
    expect(matchesFilter(filter, { ...mine, created_by_type: 'token', status: 'open' })).toBe(
      false,
    );
    expect(matchesFilter(filter, { ...mine, created_by_type: null, status: 'open' })).toBe(false);
  });

  it('refuses a policy whose residual it cannot represent, rather than widen the filter', async () => {
    const opa = await createService({ policyPackage: 'prefix_filter' });
    await opa.putPolicy(
      'prefix_filter',
      'package prefix_filter\n\ninclude if startswith(input.resource.id, input.subject.id)\n',
    );
    try {
      await expect(
        opa.compileFilter({
          subject: seedSubjects[0]!,
          action: 'task:read',
          resourceType: 'Task',
          roles: {},
          bindings: [],
        }),
      ).rejects.toBeInstanceOf(UnsupportedResidualError);
    } finally {
      await opa.deletePolicy('prefix_filter');
    }
  });
});
