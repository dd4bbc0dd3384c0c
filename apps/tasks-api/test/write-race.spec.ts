import { jest } from '@jest/globals';
import type { Repository } from 'typeorm';
import { Task } from '../src/tasks/task.entity.js';
import { TaskLoader } from '../src/tasks/task.loader.js';
import { describeOnEachDatabase } from './support/databases.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Check-then-act: the guard decides on the task as its loader read it, then the handler writes.
 * Each case changes the row in between (right after the loader's read, so deterministically) and
 * the write must not land on a task the decision never saw: 409, row untouched.
 */
describeOnEachDatabase('a write lands only on the task its decision saw', (freshDatabase) => {
  let t: TestApp;
  const alice = { type: 'user', id: 'alice' } as const;
  const dave = { type: 'user', id: 'dave' } as const;

  beforeAll(async () => {
    t = await createTestApp((await freshDatabase()).env);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.reseed();
  });

  const tasks = () => t.dataSource.getRepository(Task);

  /** Runs `change` once, after the guard's loader read the task and before the handler writes. */
  function meanwhile(change: (tasks: Repository<Task>) => Promise<unknown>): void {
    const loader = t.app.get(TaskLoader);
    const load = loader.load.bind(loader);
    jest.spyOn(loader, 'load').mockImplementationOnce(async (id: string) => {
      const seen = await load(id);
      await change(tasks());
      return seen;
    });
  }

  const archive = (id: string) => (repo: Repository<Task>) =>
    repo.update({ id }, { status: 'archived' });

  it.each([
    ['PATCH a title', { title: 'Renamed' }],
    ['PATCH the status', { status: 'done' }],
  ])('%s of a task archived meanwhile: 409, nothing lands', async (_name, body) => {
    meanwhile(archive('t-1'));
    const res = await t.as(alice).patch('/tasks/t-1', body);
    expect(res.status).toBe(409);
    expect(res.body.message).toBe('Task "t-1" changed meanwhile; retry');
    expect(await tasks().findOneByOrFail({ id: 't-1' })).toMatchObject({
      title: 'Write the README',
      status: 'archived',
    });
  });

  it('DELETE of a task archived meanwhile: 409, the task stays', async () => {
    meanwhile(archive('t-1'));
    expect((await t.as(alice).delete('/tasks/t-1')).status).toBe(409);
    expect(await tasks().existsBy({ id: 't-1' })).toBe(true);
  });

  it('PATCH by the owner of a task handed to someone else meanwhile: 409', async () => {
    // dave may update t-3 only as its creator.
    meanwhile((repo) => repo.update({ id: 't-3' }, { createdBy: 'alice' }));
    expect((await t.as(dave).patch('/tasks/t-3', { title: 'Mine' })).status).toBe(409);
    expect((await tasks().findOneByOrFail({ id: 't-3' })).title).toBe('Fix the flaky test');
  });

  it('PATCH of a task whose creator type became unknown meanwhile: 409', async () => {
    meanwhile((repo) => repo.update({ id: 't-3' }, { createdByType: null }));
    expect((await t.as(dave).patch('/tasks/t-3', { title: 'Mine' })).status).toBe(409);
  });

  it('an empty PATCH of a task archived meanwhile: 409 too', async () => {
    meanwhile(archive('t-1'));
    expect((await t.as(alice).patch('/tasks/t-1', {})).status).toBe(409);
  });

  it.each(['patch', 'delete'] as const)('%s of a task deleted meanwhile: 404', async (method) => {
    meanwhile((repo) => repo.delete({ id: 't-1' }));
    const res =
      method === 'patch'
        ? await t.as(alice).patch('/tasks/t-1', { title: 'Renamed' })
        : await t.as(alice).delete('/tasks/t-1');
    expect(res.status).toBe(404);
  });

  it('a change the decision did not depend on (the title) does not block the write', async () => {
    meanwhile((repo) => repo.update({ id: 't-1' }, { title: 'Renamed by someone else' }));
    const res = await t.as(alice).patch('/tasks/t-1', { status: 'done' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 't-1', title: 'Renamed by someone else', status: 'done' });
  });

  it('sends only the fields given: a PATCH of the title keeps the status', async () => {
    const res = await t.as(alice).patch('/tasks/t-2', { title: 'Renamed' });
    expect(res.status).toBe(200);
    expect(await tasks().findOneByOrFail({ id: 't-2' })).toMatchObject({
      title: 'Renamed',
      status: 'open',
      createdBy: 'bob',
      createdByType: 'user',
    });
  });

  it('concurrent PATCHes and POSTs all land (sql.js runs its transactions one after another)', async () => {
    const writes = await Promise.all([
      ...Array.from({ length: 8 }, (_, n) =>
        t.as(alice).patch(`/tasks/t-${(n % 3) + 1}`, { title: `Concurrent ${n}` }),
      ),
      ...Array.from({ length: 4 }, (_, n) => t.as(alice).post('/tasks', { title: `New ${n}` })),
    ]);
    expect(writes.map((res) => res.status)).toEqual([...Array(8).fill(200), ...Array(4).fill(201)]);
  });
});
