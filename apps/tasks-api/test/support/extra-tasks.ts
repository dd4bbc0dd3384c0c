import type { DataSource } from 'typeorm';
import { Task } from '../../src/tasks/task.entity.js';
import type { TaskStatus } from '../../src/tasks/task-status.js';
import type { OracleTask } from './oracle.js';

/**
 * Adds `tasks` beside the seed data, which stays the contract's (t-1..t-4): a test that needs
 * another row inserts it, and a reseed removes it again.
 */
export async function insertTasks(dataSource: DataSource, tasks: OracleTask[]): Promise<void> {
  await dataSource.getRepository(Task).insert(
    tasks.map((task) => ({
      ...task,
      status: task.status as TaskStatus,
      title: `Task ${task.id}`,
    })),
  );
}
