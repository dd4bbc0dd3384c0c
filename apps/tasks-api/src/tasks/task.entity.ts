import type { ResourceAttributes } from 'nestjs-opa';
import { Column, Entity, IsNull, PrimaryColumn, type FindOptionsWhere } from 'typeorm';
import type { AuthenticatedSubject } from '../auth/authenticated-subject.js';
import type { TaskStatus } from './task-status.js';

/** A task, serialized as `{ id, title, status, createdBy, createdByType }`. */
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

  /**
   * Type of that subject (`user` or `token`): a user and a token may share an id, never rights.
   * Nullable so an existing database upgrades in place: rows older than the column have no known
   * creator type, and the ownership rule gives them no owner.
   */
  @Column({ name: 'created_by_type', type: 'varchar', length: 16, nullable: true })
  createdByType!: AuthenticatedSubject['type'] | null;
}

/**
 * What policies see of a task (`input.resource.created_by`, `.created_by_type`, `.status`). One
 * function, so the guard's loader and the list filter can never show OPA different things.
 */
export function taskAttributes(task: Task): ResourceAttributes {
  return {
    created_by: task.createdBy,
    created_by_type: task.createdByType ?? null,
    status: task.status,
  };
}

/** Policy field → entity property, for the list filter (the `type` is known, never a column). */
export const TASK_FIELDS: Record<string, keyof Task> = {
  id: 'id',
  created_by: 'createdBy',
  created_by_type: 'createdByType',
  status: 'status',
};

/**
 * The row as a decision saw it, as a WHERE condition: `attributes` are the policy fields the
 * guard's loader showed OPA. A write guarded by it lands only if none of them changed since.
 * A field without a column cannot be checked, so it throws rather than write unchecked.
 */
export function taskAsDecided(id: string, attributes: ResourceAttributes): FindOptionsWhere<Task> {
  const where: Record<string, unknown> = { id };
  for (const [field, value] of Object.entries(attributes)) {
    const property = TASK_FIELDS[field];
    if (!property)
      throw new Error(`Task attribute "${field}" has no column to check a write against`);
    where[property] = value === null ? IsNull() : value;
  }
  return where as FindOptionsWhere<Task>;
}
