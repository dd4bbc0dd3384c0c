import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sql-js';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import initSqlJs from 'sql.js';
import { type OpaService, toSqlFilter, type ResourceFilter } from '../../src/index.js';
import { toDrizzleFilter } from '../../src/drizzle/index.js';
import { checkFilterConsistency } from '../../src/testing/index.js';
import { seedFilterRequest, seedSubjects, seedTasks } from '../support/seed.js';
import { createOpaTesting } from '../support/opa-testing.js';

/** The same seed tasks in a real SQL engine (SQLite, in Wasm), filtered by each adapter. */
const tasks = sqliteTable('tasks', {
  id: text('id').primaryKey(),
  createdBy: text('created_by'),
  createdByType: text('created_by_type'),
  status: text('status'),
});

describe('SQL adapters against a real database and OPA', () => {
  let opa: OpaService;
  let db: ReturnType<typeof drizzle>;
  let raw: InstanceType<Awaited<ReturnType<typeof initSqlJs>>['Database']>;

  beforeAll(async () => {
    ({ opa } = await createOpaTesting({ auditLog: false }));
    const SQL = await initSqlJs();
    raw = new SQL.Database();
    raw.run(
      'CREATE TABLE tasks (id TEXT PRIMARY KEY, created_by TEXT, created_by_type TEXT, status TEXT)',
    );
    for (const task of rows) {
      raw.run('INSERT INTO tasks VALUES (?, ?, ?, ?)', [
        task.id,
        task.created_by,
        task.created_by_type,
        task.status,
      ]);
    }
    db = drizzle(raw);
  });
  afterAll(() => raw?.close());

  // Rows with NULLs, where SQL's three-valued logic differs from Rego's if an adapter is careless.
  const rows: Array<{
    id: string;
    created_by: string;
    created_by_type: string | null;
    status: string | null;
  }> = [
    ...seedTasks,
    { id: 't-5', created_by: 'carol', created_by_type: 'user', status: null },
    { id: 't-6', created_by: 'carol', created_by_type: null, status: 'open' },
  ];
  const cases = seedSubjects.flatMap((subject) =>
    ['task:read', 'task:update', 'task:delete'].map(
      (action) => [`${subject.type}:${subject.id}`, action, subject] as const,
    ),
  );

  const adapters: Record<string, (filter: ResourceFilter) => string[]> = {
    drizzle: (filter) =>
      db
        .select({ id: tasks.id })
        .from(tasks)
        .where(
          toDrizzleFilter(filter, {
            id: tasks.id,
            created_by: tasks.createdBy,
            created_by_type: tasks.createdByType,
            status: tasks.status,
          }),
        )
        .orderBy(asc(tasks.id))
        .all()
        .map((row) => row.id),
    'SQL fragment': (filter) => {
      const where = toSqlFilter(filter, {
        dialect: 'sqlite',
        columns: {
          id: 'id',
          created_by: 'created_by',
          created_by_type: 'created_by_type',
          status: 'status',
        },
      });
      const result = raw.exec(
        `SELECT id FROM tasks WHERE ${where.text} ORDER BY id`,
        where.params as (string | number | null)[],
      );
      return (result[0]?.values ?? []).map(([id]) => String(id));
    },
  };

  describe.each(Object.entries(adapters))('%s', (_adapter, select) => {
    it.each(cases)(
      'keeps exactly the rows point checks permit: %s %s',
      async (_name, action, subject) => {
        const report = await checkFilterConsistency({
          opa,
          request: seedFilterRequest(subject, action),
          rows,
          key: (task) => task.id,
          toResource: (task) => ({
            id: task.id,
            attributes: {
              created_by: task.created_by,
              created_by_type: task.created_by_type,
              status: task.status,
            },
          }),
          applyFilter: async (filter) => {
            const kept = new Set(select(filter));
            return rows.filter((row) => kept.has(row.id));
          },
        });
        expect(report).toMatchObject({ consistent: true });
      },
    );
  });
});
