import { createTestApp, freshDataDir, type TestApp } from './support/test-app.js';
import { tokenFor } from './support/tokens.js';

const bob = { type: 'user', id: 'bob' } as const;

describe('request validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['POST /tasks without a title', 'post', '/tasks', {}, 'title'],
    ['POST /tasks with an empty title', 'post', '/tasks', { title: '' }, 'title'],
    ['POST /tasks with a non-string title', 'post', '/tasks', { title: 42 }, 'title'],
    [
      'POST /tasks choosing its creator',
      'post',
      '/tasks',
      { title: 'x', createdBy: 'alice' },
      'createdBy',
    ],
    [
      'POST /tasks choosing its creator type',
      'post',
      '/tasks',
      { title: 'x', createdByType: 'token' },
      'createdByType',
    ],
    ['PATCH with an unknown status', 'patch', '/tasks/t-2', { status: 'deleted' }, 'status'],
    ['PATCH with an unknown field', 'patch', '/tasks/t-2', { id: 't-9' }, 'id'],
    ['GET /tasks with a limit of 0', 'get', '/tasks?limit=0', undefined, 'limit'],
    ['GET /tasks with a limit over 100', 'get', '/tasks?limit=101', undefined, 'limit'],
    ['GET /tasks with a limit that is not a number', 'get', '/tasks?limit=ten', undefined, 'limit'],
    [
      'GET /tasks with an over-long cursor',
      'get',
      `/tasks?after=${'x'.repeat(65)}`,
      undefined,
      'after',
    ],
  ] as const)('%s is 400 naming the field', async (_name, method, path, body, field) => {
    const res = await t.as(bob)[method](path, body ?? {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Validation failed' });
    expect(Object.keys(res.body.errors)).toEqual([field]);
    expect(JSON.stringify(res.body)).not.toContain('alice');
  });

  it('a body that is not JSON is 400 without a stack trace', async () => {
    const res = await t
      .http()
      .post('/tasks')
      .set('Authorization', `Bearer ${await tokenFor(bob)}`)
      .set('content-type', 'application/json')
      .send('{"title":');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/\.(ts|js):\d+/);
  });

  it('PATCH can move a task through its statuses', async () => {
    const created = await t.as(bob).post('/tasks', { title: 'Ship it' });
    expect(created.status).toBe(201);
    const res = await t.as(bob).patch(`/tasks/${created.body.id}`, { status: 'done' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created.body, status: 'done' });
  });
});

describe('embedded database persistence', () => {
  it('keeps writes across restarts and does not re-seed a used database', async () => {
    const dataDir = freshDataDir();
    const first = await createTestApp({ DATA_DIR: dataDir });
    const alice = { type: 'user', id: 'alice' } as const;
    let id: string;
    try {
      id = (await first.as(bob).post('/tasks', { title: 'Survives a restart' })).body.id;
      expect((await first.as(alice).delete('/tasks/t-3')).status).toBe(204);
    } finally {
      await first.close();
    }

    const second = await createTestApp({ DATA_DIR: dataDir });
    try {
      expect((await second.as(bob).get(`/tasks/${id}`)).body).toMatchObject({
        title: 'Survives a restart',
        createdBy: 'bob',
      });
      expect((await second.as(alice).get('/tasks/t-3')).status).toBe(404);
    } finally {
      await second.close();
    }
  });
});
