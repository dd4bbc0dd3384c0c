import { freePort, startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { Task } from '../../src/tasks/task.entity.js';
import { EXTRA_TASKS, MATRIX_TASKS as TASKS } from './authorization-matrix.js';
import { insertTasks } from './extra-tasks.js';
import { parseMetrics, sumOf } from './metrics.js';
import { label, permits, SUBJECTS } from './oracle.js';
import { createTestApp, type TestApp } from './test-app.js';
import { tokenFor, type TestSubject } from './tokens.js';

const TASK_FIELDS = 'id title status createdBy actions';

/**
 * The authorization matrix of `authorization-matrix.ts` (its tasks: the seed and the extra rows), over GraphQL (`POST /graphql`): every
 * subject × every task × every query and mutation, expected outcomes from the oracle, a real
 * database. The app gets an OPA of its own so the "one bulk call for a guarded field on a list"
 * property can be read off OPA's own request counter.
 */
export function describeGraphqlMatrix(
  name: string,
  databaseEnv: () => Promise<Record<string, string>>,
) {
  describe(name, () => {
    let opa: RunningOpa;
    let t: TestApp;
    let dirty = false;

    beforeAll(async () => {
      opa = await startOpa({ decisionLogs: true });
      t = await createTestApp({ ...(await databaseEnv()), OPA_URL: opa.url });
      await insertTasks(t.dataSource, EXTRA_TASKS);
      await warmUp(t);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await opa?.stop();
    });
    beforeEach(async () => {
      if (dirty) {
        await t.reseed();
        await insertTasks(t.dataSource, EXTRA_TASKS);
      }
      dirty = false;
    });

    const gql = async (subject: TestSubject, query: string, variables?: object) => {
      const res = await t.as(subject).post('/graphql', { query, variables });
      expect(res.status).toBe(200);
      return res.body as { data: any; errors?: Array<{ path?: unknown[]; extensions: any }> };
    };
    const codes = (body: { errors?: Array<{ extensions: { code: string } }> }) =>
      (body.errors ?? []).map((e) => e.extensions.code);

    describe.each(SUBJECTS.map((subject) => [label(subject), subject] as const))(
      '%s',
      (_name, subject) => {
        it('tasks lists exactly the readable tasks, each with the actions the model allows', async () => {
          const body = await gql(subject, `{ tasks { items { ${TASK_FIELDS} } } }`);
          expect(body.errors).toBeUndefined();
          const expected = TASKS.filter((task) => permits(subject, 'task:read', task));
          expect(body.data.tasks.items).toEqual(
            expected.map((task) =>
              expect.objectContaining({
                id: task.id,
                actions: ['task:read', 'task:update', 'task:delete'].filter((action) =>
                  permits(subject, action, task),
                ),
              }),
            ),
          );
        });

        it('tasks { auditLog }: the log where task:audit holds, else null and FORBIDDEN at its path', async () => {
          const body = await gql(subject, '{ tasks { items { id title auditLog } } }');
          const items = body.data.tasks.items as Array<{ id: string; auditLog: unknown }>;
          const byId = new Map(TASKS.map((task) => [task.id, task]));
          const denied = items.flatMap((item, index) =>
            permits(subject, 'task:audit', byId.get(item.id)!) ? [] : [index],
          );
          for (const [index, item] of items.entries()) {
            expect(item.auditLog).toEqual(denied.includes(index) ? null : expect.any(Array));
          }
          expect(body.errors?.map((e) => e.path) ?? []).toEqual(
            denied.map((index) => ['tasks', 'items', index, 'auditLog']),
          );
          expect(codes(body).every((code) => code === 'FORBIDDEN')).toBe(true);
        });

        it('createTask', async () => {
          dirty = true;
          const allowed = permits(subject, 'task:create', null);
          const body = await gql(
            subject,
            `mutation($title: String!) { createTask(title: $title) { ${TASK_FIELDS} } }`,
            { title: `Created by ${label(subject)}` },
          );
          if (allowed) {
            expect(body.data.createTask).toMatchObject({
              title: `Created by ${label(subject)}`,
              status: 'open',
              createdBy: subject.id,
            });
          } else {
            expect(body.data).toBeNull();
            expect(codes(body)).toEqual(['FORBIDDEN']);
          }
          expect(await t.dataSource.getRepository(Task).count()).toBe(
            TASKS.length + (allowed ? 1 : 0),
          );
        });

        describe.each(TASKS.map((task) => [task.id, task] as const))('task %s', (id, task) => {
          it('task(id)', async () => {
            const body = await gql(subject, `query($id: ID!) { task(id: $id) { id status } }`, {
              id,
            });
            if (permits(subject, 'task:read', task)) {
              expect(body.data.task).toEqual({ id, status: task.status });
            } else {
              expect(body.data.task).toBeNull();
              expect(codes(body)).toEqual(['FORBIDDEN']);
            }
          });

          it('updateTask (keeping the status), audited', async () => {
            dirty = true;
            const allowed = permits(subject, 'task:update', task);
            const title = `Renamed by ${label(subject)}`;
            const body = await gql(
              subject,
              `mutation($id: ID!, $title: String, $status: String) {
                updateTask(id: $id, title: $title, status: $status) { id title }
              }`,
              { id, title, status: task.status },
            );
            if (allowed) expect(body.data.updateTask).toEqual({ id, title });
            else expect(codes(body)).toEqual(['FORBIDDEN']);
            const row = await t.dataSource.getRepository(Task).findOneByOrFail({ id });
            expect(row.title === title).toBe(allowed);
            if (allowed) {
              const log = await gql(
                { type: 'user', id: 'alice' },
                `{ task(id: "${id}") { auditLog } }`,
              );
              expect(log.data.task.auditLog).toEqual([
                expect.stringMatching(
                  new RegExp(
                    `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z updated by ${subject.type}:${subject.id}$`,
                  ),
                ),
              ]);
            }
          });

          it('deleteTask', async () => {
            dirty = true;
            const allowed = permits(subject, 'task:delete', task);
            const body = await gql(subject, `mutation($id: ID!) { deleteTask(id: $id) }`, { id });
            if (allowed) expect(body.data).toEqual({ deleteTask: true });
            else expect(codes(body)).toEqual(['FORBIDDEN']);
            expect(await t.dataSource.getRepository(Task).existsBy({ id })).toBe(!allowed);
          });
        });
      },
    );

    it('answers UNAUTHENTICATED without a valid token, before asking OPA', async () => {
      const before = await opaDataCalls();
      const res = await t.http().post('/graphql').send({ query: '{ tasks { items { id } } }' });
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.body.data).toBeNull();
      expect(await opaDataCalls()).toBe(before);
    });

    it('NOT_FOUND for an unknown id', async () => {
      const body = await gql({ type: 'user', id: 'alice' }, '{ task(id: "t-404") { id } }');
      expect(codes(body)).toEqual(['NOT_FOUND']);
    });

    it('decides auditLog on a list of 50 tasks in ONE bulk call to OPA (its own counter)', async () => {
      dirty = true;
      const extra = Array.from({ length: 50 - TASKS.length }, (_, i) => ({
        id: `t-bulk-${String(i).padStart(2, '0')}`,
        title: `Bulk ${i}`,
        status: 'open' as const,
        createdBy: 'bob',
        createdByType: 'user' as const,
      }));
      await t.dataSource.getRepository(Task).insert(extra);
      const alice: TestSubject = { type: 'user', id: 'alice' };

      let before = await opaDataCalls();
      const plain = await gql(alice, '{ tasks { items { id actions } } }');
      const withoutAudit = (await opaDataCalls()) - before;

      before = await opaDataCalls();
      const audited = await gql(alice, '{ tasks { items { id actions auditLog } } }');
      const withAudit = (await opaDataCalls()) - before;

      expect(plain.data.tasks.items).toHaveLength(50);
      expect(audited.errors).toBeUndefined();
      expect(audited.data.tasks.items).toHaveLength(50);
      expect(audited.data.tasks.items.every((i: any) => Array.isArray(i.auditLog))).toBe(true);
      // The row actions are one bulk call; the 50 auditLog fields add exactly one more.
      expect(withoutAudit).toBe(1);
      expect(withAudit).toBe(2);
    });

    it('answers SERVICE_UNAVAILABLE, never data, when OPA cannot answer', async () => {
      const down = await createTestApp({
        ...(await databaseEnv()),
        OPA_URL: `http://127.0.0.1:${await freePort()}`,
      });
      try {
        const alice = `Bearer ${await tokenFor({ type: 'user', id: 'alice' })}`;
        for (const query of [
          '{ task(id: "t-1") { id } }',
          '{ tasks { items { id } } }',
          'mutation { deleteTask(id: "t-1") }',
        ]) {
          const res = await down
            .http()
            .post('/graphql')
            .set('Authorization', alice)
            .send({ query });
          // `task` is nullable: `{ task: null }`; the others null the whole answer.
          expect(Object.values(res.body.data ?? {})).toEqual(res.body.data ? [null] : []);
          expect(codes(res.body)).toEqual(['SERVICE_UNAVAILABLE']);
        }
        expect(await down.dataSource.getRepository(Task).existsBy({ id: 't-1' })).toBe(true);
      } finally {
        await down.close();
      }
    });

    /** `v1/data` requests OPA has served (the decision and bulk endpoints), from its /metrics. */
    async function opaDataCalls(): Promise<number> {
      const text = await (await fetch(`${opa.url}/metrics`)).text();
      return sumOf(parseMetrics(text), 'http_request_duration_seconds_count', {
        handler: 'v1/data',
      });
    }
  });
}

/**
 * A freshly started OPA prepares each query on its first use; on a busy machine the first filter
 * compile can outlast the library's 500 ms deadline (a 503, as designed). Ask once until OPA
 * answers, so the matrix judges answers, not a cold start.
 */
async function warmUp(t: TestApp): Promise<void> {
  const query = '{ tasks { items { id actions } } }';
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await t.as({ type: 'user', id: 'alice' }).post('/graphql', { query });
    if (res.status === 200 && !res.body.errors) return;
  }
  throw new Error('OPA never answered the warm-up query');
}
