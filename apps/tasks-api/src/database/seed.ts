import type { DataSource, EntityManager } from 'typeorm';
import { RoleBinding } from '../authz/role-binding.entity.js';
import { Role, RolePermission } from '../authz/role.entity.js';
import { User } from '../authz/user.entity.js';
import { TaskChange } from '../tasks/task-change.entity.js';
import { Task } from '../tasks/task.entity.js';
import { inTransaction } from './transaction.js';

/** The role catalogue of the authorization model. */
export const SEED_ROLES: Record<string, string[]> = {
  viewer: ['task:read', 'task:list'],
  editor: ['task:read', 'task:list', 'task:create', 'task:update'],
  admin: ['task:*'],
};

/** People and their attributes. Token `ci-bot` is not a person; user `ci-bot` is, without rights. */
export const SEED_USERS: Array<Pick<User, 'id' | 'banned'>> = [
  { id: 'alice', banned: false },
  { id: 'bob', banned: false },
  { id: 'carol', banned: false },
  { id: 'dave', banned: false },
  { id: 'erin', banned: true },
  { id: 'ci-bot', banned: false },
];

export const SEED_BINDINGS: Array<Omit<RoleBinding, 'id'>> = [
  { subjectType: 'user', subjectId: 'alice', role: 'admin', scopeType: null, scopeId: null },
  { subjectType: 'user', subjectId: 'bob', role: 'editor', scopeType: 'Task', scopeId: null },
  { subjectType: 'user', subjectId: 'carol', role: 'viewer', scopeType: null, scopeId: null },
  { subjectType: 'user', subjectId: 'carol', role: 'editor', scopeType: 'Task', scopeId: 't-2' },
  { subjectType: 'user', subjectId: 'erin', role: 'editor', scopeType: null, scopeId: null },
  { subjectType: 'token', subjectId: 'ci-bot', role: 'viewer', scopeType: null, scopeId: null },
];

/**
 * The contract's tasks (authz-model.md, "The sample's seed data"), all created by users. Tests that
 * need another row (say, a task created by a token) insert it themselves.
 */
export const SEED_TASKS: Task[] = [
  {
    id: 't-1',
    title: 'Write the README',
    status: 'open',
    createdBy: 'alice',
    createdByType: 'user',
  },
  {
    id: 't-2',
    title: 'Review the policies',
    status: 'open',
    createdBy: 'bob',
    createdByType: 'user',
  },
  {
    id: 't-3',
    title: 'Fix the flaky test',
    status: 'open',
    createdBy: 'dave',
    createdByType: 'user',
  },
  {
    id: 't-4',
    title: 'Plan the first release',
    status: 'archived',
    createdBy: 'carol',
    createdByType: 'user',
  },
];

/**
 * Fills an empty database with the sample's data, in one transaction. With `reset`, deletes every
 * row first (tests use it to undo their writes); without it, a database holding roles is left alone.
 * @returns whether it wrote anything.
 */
export async function seedDatabase(
  dataSource: DataSource,
  { reset = false } = {},
): Promise<boolean> {
  return inTransaction(dataSource, async (manager) => {
    if (reset) await clear(manager);
    else if ((await manager.count(Role)) > 0) return false;

    await manager.save(
      Role,
      Object.entries(SEED_ROLES).map(([name, permissions]) =>
        manager.create(Role, {
          name,
          permissions: permissions.map((permission) =>
            manager.create(RolePermission, { roleName: name, permission }),
          ),
        }),
      ),
    );
    // Copies: TypeORM writes generated ids back into the objects it inserts.
    await manager.insert(
      User,
      SEED_USERS.map((row) => ({ ...row })),
    );
    await manager.insert(
      RoleBinding,
      SEED_BINDINGS.map((row) => ({ ...row })),
    );
    await manager.insert(
      Task,
      SEED_TASKS.map((row) => ({ ...row })),
    );
    return true;
  });
}

async function clear(manager: EntityManager): Promise<void> {
  // Children before parents, for the foreign keys.
  for (const entity of [RoleBinding, RolePermission, Role, User, TaskChange, Task]) {
    await manager.createQueryBuilder().delete().from(entity).execute();
  }
}
