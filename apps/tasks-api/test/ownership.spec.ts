import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { Task } from '../src/tasks/task.entity.js';
import { describeOnEachDatabase } from './support/databases.js';
import { insertTasks } from './support/extra-tasks.js';
import { TOKEN_CI_BOT_TASK } from './support/oracle.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const userCiBot = { type: 'user', id: 'ci-bot' } as const;
const tokenCiBot = { type: 'token', id: 'ci-bot' } as const;
const dave = { type: 'user', id: 'dave' } as const;
const alice = { type: 'user', id: 'alice' } as const;

const byToken = TOKEN_CI_BOT_TASK.id;

const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((t) => t.id);

/** Ownership is the creator's type and id: a user and a token of the same id never share rights. */
describeOnEachDatabase('ownership compares the creator type', (freshDatabase) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp((await freshDatabase()).env);
  });
  afterAll(async () => {
    await t?.close();
  });
  // The seed holds no task a token created (the contract's t-1..t-4): each test adds one.
  beforeEach(async () => {
    await insertTasks(t.dataSource, [TOKEN_CI_BOT_TASK]);
  });
  // Also removes the inserted rows.
  afterEach(async () => {
    await t.reseed();
  });

  it('user ci-bot neither reads nor updates a task created by the token ci-bot', async () => {
    expect((await t.as(userCiBot).get(`/tasks/${byToken}`)).status).toBe(403);
    expect((await t.as(userCiBot).patch(`/tasks/${byToken}`, { title: 'Mine' })).status).toBe(403);
    expect(
      (await t.dataSource.getRepository(Task).findOneByOrFail({ id: byToken })).title,
    ).not.toBe('Mine');
  });

  it("user ci-bot's list leaves the token's task out; the token reads it, as a viewer, not as its owner", async () => {
    expect(ids(await t.as(userCiBot).get('/tasks'))).toEqual([]);
    const bot = await t.as(tokenCiBot).get('/tasks');
    expect(bot.body.items.find((task: { id: string }) => task.id === byToken)).toMatchObject({
      createdBy: 'ci-bot',
      createdByType: 'token',
      actions: ['task:read'],
    });
  });

  it('a task created by a token of the same id as a user gives that user nothing', async () => {
    const repo = t.dataSource.getRepository(Task);
    await repo.insert([
      {
        id: 't-by-token-dave',
        title: 'x',
        status: 'open',
        createdBy: 'dave',
        createdByType: 'token',
      },
      {
        id: 't-by-user-dave',
        title: 'x',
        status: 'open',
        createdBy: 'dave',
        createdByType: 'user',
      },
    ]);
    expect((await t.as(dave).get('/tasks/t-by-token-dave')).status).toBe(403);
    expect((await t.as(dave).get('/tasks/t-by-user-dave')).status).toBe(200);
    expect(ids(await t.as(dave).get('/tasks'))).toEqual(['t-3', 't-by-user-dave']);
  });

  it('POST records the creator type with its id', async () => {
    const res = await t.as(alice).post('/tasks', { title: 'New' });
    expect(res.status).toBe(201);
    expect(
      await t.dataSource.getRepository(Task).findOneByOrFail({ id: res.body.id }),
    ).toMatchObject({ createdBy: 'alice', createdByType: 'user' });
  });
});

/** The tasks table as the sample created it before it stored the creator's type. */
@Entity('tasks')
class TaskWithoutCreatorType {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  createdBy!: string;
}

/** An existing database (tasks without a creator type) opened by the new version of the app. */
describeOnEachDatabase('an existing database upgrades in place', (freshDatabase) => {
  let t: TestApp;

  beforeAll(async () => {
    const database = await freshDatabase();
    const old = await new DataSource({
      ...database.options,
      entities: [TaskWithoutCreatorType],
      synchronize: true,
    }).initialize();
    await old.getRepository(TaskWithoutCreatorType).insert({
      id: 't-old',
      title: 'From before',
      status: 'open',
      createdBy: 'dave',
    });
    await old.destroy();
    t = await createTestApp(database.env);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the old rows, with an unknown (NULL) creator type', async () => {
    expect(await t.dataSource.getRepository(Task).findOneByOrFail({ id: 't-old' })).toEqual({
      id: 't-old',
      title: 'From before',
      status: 'open',
      createdBy: 'dave',
      createdByType: null,
    });
  });

  it('a row with an unknown creator type has no owner, in point checks and in the list', async () => {
    expect((await t.as(dave).get('/tasks/t-old')).status).toBe(403);
    expect((await t.as(dave).patch('/tasks/t-old', { title: 'Mine' })).status).toBe(403);
    expect(ids(await t.as(dave).get('/tasks'))).toEqual(['t-3']);
    // Role grants do not depend on the creator: the admin still reads it.
    expect((await t.as(alice).get('/tasks/t-old')).status).toBe(200);
  });

  it('role grants still write it: the write condition matches its NULL creator type', async () => {
    const res = await t.as(alice).patch('/tasks/t-old', { title: 'Renamed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'Renamed', createdByType: null });
    expect((await t.as(alice).delete('/tasks/t-old')).status).toBe(204);
  });
});
