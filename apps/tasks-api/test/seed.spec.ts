import { Task } from '../src/tasks/task.entity.js';
import { describeOnEachDatabase } from './support/databases.js';
import { TASKS } from './support/oracle.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const rows = async (t: TestApp) =>
  (await t.dataSource.getRepository(Task).find({ order: { id: 'ASC' } })).map(
    ({ id, createdBy, createdByType, status }) => ({ id, createdBy, createdByType, status }),
  );

/** The seeded database is the shared contract's (authz-model.md), no more: tests add their own rows. */
describeOnEachDatabase('the seed data is the contract', (freshDatabase) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp((await freshDatabase()).env);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a new database holds exactly the contract tasks', async () => {
    expect(await rows(t)).toEqual(TASKS);
  });

  it('a reseed puts back exactly the contract tasks', async () => {
    await t.dataSource.getRepository(Task).insert({
      id: 't-extra',
      title: 'x',
      status: 'open',
      createdBy: 'ci-bot',
      createdByType: 'token',
    });
    await t.reseed();
    expect(await rows(t)).toEqual(TASKS);
  });
});
