import type { ResourceAttributes } from 'nestjs-opa';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TaskStatus } from './task-status.js';

/** A task, serialized as `{ id, title, status, createdBy }`. */
@Entity('tasks')
export class Task {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: TaskStatus;

  /** Id of the subject that created the task; the ownership rule compares it with the caller. */
  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  createdBy!: string;
}

/**
 * What policies see of a task (`input.resource.created_by`, `.status`). One function, so the
 * guard's loader and the list filter can never show OPA different things.
 */
export function taskAttributes(task: Task): ResourceAttributes {
  return { created_by: task.createdBy, status: task.status };
}

/** Policy field → entity property, for the list filter (the `type` is known, never a column). */
export const TASK_FIELDS: Record<string, keyof Task> = {
  id: 'id',
  created_by: 'createdBy',
  status: 'status',
};
