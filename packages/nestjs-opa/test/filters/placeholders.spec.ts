import { and, asc, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sql-js';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { DataSource, EntitySchema } from 'typeorm';
import type { ResourceFilter } from '../../src/index.js';
import { toDrizzleFilter } from '../../src/drizzle/index.js';
import { applyResourceFilter } from '../../src/typeorm/index.js';
import { seedTasks } from '../support/seed.js';

/**
 * Several filters in one statement, each in a different builder, join or subquery: every value
 * must stay bound to its own placeholder. Run on a real SQL engine (SQLite in Wasm); the filters
 * are written out so each test knows exactly which rows are right.
 */
interface TaskRow {
  id: string;
  createdBy: string;
  status: string;
  projectId: string;
  project?: ProjectRow;
}
interface ProjectRow {
  id: string;
  owner: string;
}
const Task = new EntitySchema<TaskRow>({
  name: 'Task',
  tableName: 'tasks',
  columns: {
    id: { type: String, primary: true },
    createdBy: { type: String, name: 'created_by' },
    status: { type: String },
    projectId: { type: String, name: 'project_id' },
  },
  relations: {
    project: { type: 'many-to-one', target: 'Project', joinColumn: { name: 'project_id' } },
  },
});
const Project = new EntitySchema<ProjectRow>({
  name: 'Project',
  tableName: 'projects',
  columns: { id: { type: String, primary: true }, owner: { type: String } },
});

// t-1, t-2, t-3 in bob's project p-1; t-4 in carol's p-2.
const projectOf: Record<string, string> = {
  't-1': 'p-1',
  't-2': 'p-1',
  't-3': 'p-1',
  't-4': 'p-2',
};
const projects = [
  { id: 'p-1', owner: 'bob' },
  { id: 'p-2', owner: 'carol' },
];

const where = (field: string, value: string): ResourceFilter => ({
  kind: 'conditions',
  anyOf: [[{ field, operator: 'eq', value }]],
});
const createdBy = (id: string) => where('created_by', id);
const TASK_FIELDS = { created_by: 'createdBy' };

describe('filter placeholders, whatever builder they land in', () => {
  describe('TypeORM (applyResourceFilter)', () => {
    let dataSource: DataSource;

    beforeAll(async () => {
      dataSource = new DataSource({
        type: 'sqljs',
        entities: [Task, Project],
        synchronize: true,
        logging: false,
      });
      await dataSource.initialize();
      await dataSource.getRepository(Project).save(projects);
      await dataSource.getRepository(Task).save(
        seedTasks.map((t) => ({
          id: t.id,
          createdBy: t.created_by,
          status: t.status,
          projectId: projectOf[t.id],
        })),
      );
    });
    afterAll(() => dataSource?.destroy());

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const tasks = () =>
      dataSource.getRepository(Task).createQueryBuilder('task').orderBy('task.id');

    it('keeps the main filter when a subquery (qb.subQuery()) has its own', async () => {
      // dave's tasks in projects bob owns: t-3. A subquery restarting at opa_filter_0 would
      // rebind the main filter to "bob" and return bob's task instead.
      const qb = applyResourceFilter(tasks(), createdBy('dave'), { fields: TASK_FIELDS });
      qb.andWhere((outer) => {
        const sub = outer.subQuery().select('project.id').from(Project, 'project');
        applyResourceFilter(sub, where('owner', 'bob'));
        return `task.projectId IN ${sub.getQuery()}`;
      });
      expect(ids(await qb.getMany())).toEqual(['t-3']);
    });

    it('keeps each subquery filter apart from the others', async () => {
      const qb = tasks();
      for (const [alias, filter] of [
        ['p1', where('owner', 'bob')],
        ['p2', where('id', 'p-1')],
      ] as const) {
        qb.andWhere((outer) => {
          const sub = outer.subQuery().select(`${alias}.id`).from(Project, alias);
          applyResourceFilter(sub, filter);
          return `task.projectId IN ${sub.getQuery()}`;
        });
      }
      applyResourceFilter(qb, createdBy('alice'), { fields: TASK_FIELDS });
      expect(ids(await qb.getMany())).toEqual(['t-1']);
    });

    it('keeps apart filters of a builder of its own whose parameters are merged by hand', async () => {
      const sub = dataSource.createQueryBuilder().select('p.id').from(Project, 'p');
      applyResourceFilter(sub, where('owner', 'bob'));
      const qb = applyResourceFilter(tasks(), createdBy('dave'), { fields: TASK_FIELDS });
      qb.andWhere(`task.projectId IN (${sub.getQuery()})`).setParameters(sub.getParameters());
      expect(ids(await qb.getMany())).toEqual(['t-3']);
    });

    it('filters the main and a joined alias in one query, after parameters of its own', async () => {
      const qb = tasks()
        .innerJoin('task.project', 'project')
        .where('task.status = :status', { status: 'open' });
      applyResourceFilter(qb, where('owner', 'bob'), { alias: 'project' });
      applyResourceFilter(
        qb,
        {
          kind: 'conditions',
          anyOf: [[{ field: 'created_by', operator: 'in', value: ['bob', 'dave'] }]],
        },
        { fields: TASK_FIELDS },
      );
      expect(ids(await qb.getMany())).toEqual(['t-2', 't-3']);
    });

    it('never rebinds a parameter the application named like the library', async () => {
      // More names than this file's filters use, so the library's next name is among them.
      const names = Array.from({ length: 200 }, (_, i) => `opa_filter_${i}`);
      const qb = tasks().andWhere((outer) => {
        const sub = outer
          .subQuery()
          .select('p.id')
          .from(Project, 'p')
          .where(names.map((name) => `p.owner = :${name}`).join(' AND '))
          .setParameters(Object.fromEntries(names.map((name) => [name, 'bob'])));
        return `task.projectId IN ${sub.getQuery()}`;
      });
      qb.andWhere((outer) => {
        const sub = outer.subQuery().select('t2.id').from(Task, 't2');
        applyResourceFilter(sub, createdBy('dave'), { fields: TASK_FIELDS });
        return `task.id IN ${sub.getQuery()}`;
      });
      expect(ids(await qb.getMany())).toEqual(['t-3']);
    });
  });

  describe('Drizzle (toDrizzleFilter)', () => {
    const taskTable = sqliteTable('tasks', {
      id: text('id').primaryKey(),
      createdBy: text('created_by'),
      projectId: text('project_id'),
    });
    const projectTable = sqliteTable('projects', {
      id: text('id').primaryKey(),
      owner: text('owner'),
    });

    it('binds a filter in a subquery apart from the main filter', async () => {
      const { default: initSqlJs } = await import('sql.js');
      const SQL = await initSqlJs();
      const raw = new SQL.Database();
      try {
        raw.run('CREATE TABLE projects (id TEXT PRIMARY KEY, owner TEXT)');
        raw.run('CREATE TABLE tasks (id TEXT PRIMARY KEY, created_by TEXT, project_id TEXT)');
        for (const p of projects) raw.run('INSERT INTO projects VALUES (?, ?)', [p.id, p.owner]);
        for (const t of seedTasks)
          raw.run('INSERT INTO tasks VALUES (?, ?, ?)', [t.id, t.created_by, projectOf[t.id]]);
        const db = drizzle(raw);
        const bobsProjects = db
          .select({ id: projectTable.id })
          .from(projectTable)
          .where(toDrizzleFilter(where('owner', 'bob'), { owner: projectTable.owner }));
        const rows = db
          .select({ id: taskTable.id })
          .from(taskTable)
          .where(
            and(
              toDrizzleFilter(createdBy('dave'), { created_by: taskTable.createdBy }),
              inArray(taskTable.projectId, bobsProjects),
            ),
          )
          .orderBy(asc(taskTable.id))
          .all();
        expect(rows.map((r) => r.id)).toEqual(['t-3']);
      } finally {
        raw.close();
      }
    });
  });
});
