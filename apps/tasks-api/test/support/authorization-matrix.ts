import { Task } from '../../src/tasks/task.entity.js';
import { insertTasks } from './extra-tasks.js';
import { label, permits, SUBJECTS, TASKS, TOKEN_CI_BOT_TASK } from './oracle.js';
import { createTestApp, type TestApp } from './test-app.js';

/** The seed tasks, plus a task the token ci-bot created (not seed data: inserted in setup). */
export const EXTRA_TASKS = [TOKEN_CI_BOT_TASK];
export const MATRIX_TASKS = [...TASKS, ...EXTRA_TASKS];

/**
 * Every subject × every task × every endpoint, over HTTP, against the real OPA and a real
 * database; each expected status is derived from the oracle. Writes are undone (reseed, then the
 * extra rows again) before the next case.
 */
export function describeAuthorizationMatrix(
  name: string,
  databaseEnv: () => Promise<Record<string, string>>,
) {
  describe(name, () => {
    let t: TestApp;
    let dirty = false;

    beforeAll(async () => {
      t = await createTestApp(await databaseEnv());
      await insertTasks(t.dataSource, EXTRA_TASKS);
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(async () => {
      if (dirty) {
        await t.reseed();
        await insertTasks(t.dataSource, EXTRA_TASKS);
      }
      dirty = false;
    });

    describe.each(SUBJECTS.map((subject) => [label(subject), subject] as const))(
      '%s',
      (_name, subject) => {
        it('GET /tasks lists exactly the tasks the model lets them read', async () => {
          const expected = MATRIX_TASKS.filter((task) => permits(subject, 'task:read', task)).map(
            (task) => task.id,
          );
          const res = await t.as(subject).get('/tasks');
          expect(res.status).toBe(200);
          expect(res.body.items.map((task: Task) => task.id).sort()).toEqual(expected.sort());
        });

        it('GET /tasks gives each row exactly the actions the model allows on it', async () => {
          const res = await t.as(subject).get('/tasks');
          const byId = new Map(MATRIX_TASKS.map((task) => [task.id, task]));
          for (const item of res.body.items as Array<{ id: string; actions: string[] }>) {
            const task = byId.get(item.id)!;
            const allowed = ['task:read', 'task:update', 'task:delete'].filter((action) =>
              permits(subject, action, task),
            );
            expect(item.actions).toEqual(allowed);
          }
        });

        it('GET /tasks pages through the same rows with limit and after', async () => {
          const expected = MATRIX_TASKS.filter((task) => permits(subject, 'task:read', task))
            .map((task) => task.id)
            .sort();
          const seen: string[] = [];
          let after: string | undefined;
          for (let page = 0; page < 10; page++) {
            const query = after ? `/tasks?limit=1&after=${after}` : '/tasks?limit=1';
            const res = await t.as(subject).get(query);
            expect(res.status).toBe(200);
            expect(res.body.items.length).toBeLessThanOrEqual(1);
            seen.push(...res.body.items.map((task: Task) => task.id));
            after = res.body.next;
            if (!after) break;
          }
          expect(seen).toEqual(expected);
        });

        it('GET /tasks/<unknown> is 404', async () => {
          expect((await t.as(subject).get('/tasks/t-404')).status).toBe(404);
        });

        it(`POST /tasks`, async () => {
          dirty = true;
          const allowed = permits(subject, 'task:create', null);
          const res = await t.as(subject).post('/tasks', { title: `Created by ${label(subject)}` });
          expect(res.status).toBe(allowed ? 201 : 403);
          if (allowed) {
            expect(res.body).toEqual({
              id: expect.any(String),
              title: `Created by ${label(subject)}`,
              status: 'open',
              createdBy: subject.id,
              createdByType: subject.type,
            });
          }
          expect(await t.dataSource.getRepository(Task).count()).toBe(
            MATRIX_TASKS.length + (allowed ? 1 : 0),
          );
        });

        describe.each(MATRIX_TASKS.map((task) => [task.id, task] as const))(
          'task %s',
          (id, task) => {
            it('GET', async () => {
              const res = await t.as(subject).get(`/tasks/${id}`);
              expect(res.status).toBe(permits(subject, 'task:read', task) ? 200 : 403);
              if (res.status === 200) expect(res.body).toMatchObject(task);
              else expect(res.body.message).toBe('Access denied');
            });

            it('PATCH (keeping the status)', async () => {
              dirty = true;
              const allowed = permits(subject, 'task:update', task);
              const title = `Renamed by ${label(subject)}`;
              const res = await t.as(subject).patch(`/tasks/${id}`, { title, status: task.status });
              expect(res.status).toBe(allowed ? 200 : 403);
              const row = await t.dataSource.getRepository(Task).findOneByOrFail({ id });
              expect(row.title === title).toBe(allowed);
              if (allowed) expect(res.body).toEqual({ ...task, title });
            });

            it('DELETE', async () => {
              dirty = true;
              const allowed = permits(subject, 'task:delete', task);
              const res = await t.as(subject).delete(`/tasks/${id}`);
              expect(res.status).toBe(allowed ? 204 : 403);
              expect(await t.dataSource.getRepository(Task).existsBy({ id })).toBe(!allowed);
            });
          },
        );
      },
    );
  });
}
