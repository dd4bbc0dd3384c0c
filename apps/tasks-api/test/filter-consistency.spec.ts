import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import {
  OpaModule,
  OpaService,
  type RoleBinding,
  type RoleCatalogue,
  type Subject,
} from 'nestjs-opa';
import { applyResourceFilter } from 'nestjs-opa/typeorm';
import { assertFilterConsistency } from 'nestjs-opa/testing';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Task, TASK_FIELDS, taskAttributes } from '../src/tasks/task.entity.js';
import { describeOnPostgres } from './support/databases.js';
import { TestEnv } from './support/environment.js';
import { freshPostgresDatabase } from './support/test-app.js';

/**
 * The list filter against point checks, on random data: random role catalogues, bindings, tasks,
 * subjects and actions. For each case the filter runs as SQL in the real database and must keep
 * exactly the rows OPA permits one by one (the library's consistency checker).
 */
const ids = ['u1', 'u2', 'u3'];
const taskIds = ['t0', 't1', 't2', 't3', 't4', 't5'];
const roleNames = ['r0', 'r1', 'r2', 'r3'];

const subjectRef = fc.record({
  type: fc.constantFrom('user', 'token'),
  id: fc.constantFrom(...ids),
});
const roles: fc.Arbitrary<RoleCatalogue> = fc.dictionary(
  fc.constantFrom(...roleNames.slice(0, 3)), // r3 is bound but never defined
  fc.record({
    permissions: fc.uniqueArray(
      fc.constantFrom(
        'task:read',
        'task:update',
        'task:delete',
        'task:list',
        'task:*',
        '*',
        'project:read',
      ),
      { maxLength: 3 },
    ),
  }),
);
const scope = fc.oneof(
  fc.constant(null),
  fc.constant({ type: 'Task' }),
  fc.constant({ type: 'Project' }),
  fc.record({ type: fc.constant('Task'), id: fc.constantFrom(...taskIds) }),
);
const bindings: fc.Arbitrary<RoleBinding[]> = fc.array(
  fc.record({ subject: subjectRef, role: fc.constantFrom(...roleNames), scope }),
  { maxLength: 5 },
);
const tasks = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom(...taskIds),
    createdBy: fc.constantFrom(...ids),
    // null: a row older than the creator-type column (no owner).
    createdByType: fc.constantFrom('user', 'token', null),
    status: fc.constantFrom('open', 'done', 'archived'),
  }),
  { selector: (task) => task.id, minLength: 1, maxLength: taskIds.length },
);
const subject: fc.Arbitrary<Subject> = fc
  .tuple(subjectRef, fc.boolean())
  .map(([ref, banned]) => ({ ...ref, attributes: { banned } }));
const action = fc.constantFrom('task:read', 'task:update', 'task:delete', 'task:list');

function describeOn(name: string, options: () => Promise<DataSourceOptions>) {
  describe(`list filter = point checks, on ${name} (property-based)`, () => {
    let dataSource: DataSource;
    let opa: OpaService;

    beforeAll(async () => {
      dataSource = await new DataSource({
        ...(await options()),
        entities: [Task],
        synchronize: true,
      }).initialize();
      const moduleRef = await Test.createTestingModule({
        imports: [
          OpaModule.forRoot({ url: TestEnv.opaUrl(), globalGuard: false, auditLog: false }),
        ],
      }).compile();
      opa = moduleRef.get(OpaService);
    });
    afterAll(async () => {
      await dataSource?.destroy();
    });

    it('keeps exactly the rows OPA permits one by one', async () => {
      const repository = dataSource.getRepository(Task);
      await fc.assert(
        fc.asyncProperty(
          roles,
          bindings,
          tasks,
          subject,
          action,
          async (roles, bindings, rows, subject, action) => {
            await repository.clear();
            await repository.save(rows.map((row) => repository.create({ ...row, title: row.id })));
            await assertFilterConsistency({
              opa,
              request: { subject, action, resourceType: 'Task', roles, bindings },
              rows: await repository.find(),
              key: (task) => task.id,
              toResource: (task) => ({ id: task.id, attributes: taskAttributes(task) }),
              applyFilter: (filter) =>
                applyResourceFilter(repository.createQueryBuilder('task'), filter, {
                  fields: TASK_FIELDS,
                }).getMany(),
            });
          },
        ),
        { numRuns: 75 },
      );
    });
  });
}

describeOn('the embedded database (sql.js)', async () => ({ type: 'sqljs' }));

describeOnPostgres('list filter on PostgreSQL', () =>
  describeOn('PostgreSQL', async () => ({ type: 'postgres', url: await freshPostgresDatabase() })),
);
