import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One write to a task: who made it and when. GraphQL's `Task.auditLog` reads these. */
@Entity('task_changes')
@Index(['taskId', 'id'])
export class TaskChange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'task_id', type: 'varchar', length: 64 })
  taskId!: string;

  /** `created` or `updated`. */
  @Column({ type: 'varchar', length: 16 })
  change!: 'created' | 'updated';

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 128 })
  actorId!: string;

  /** An ISO-8601 instant, as text: the same on sql.js and PostgreSQL. */
  @Column({ type: 'varchar', length: 32 })
  at!: string;
}

/** One audit line: `2026-11-29T21:00:00.000Z updated by user:bob`. */
export function auditLine(change: TaskChange): string {
  return `${change.at} ${change.change} by ${change.actorType}:${change.actorId}`;
}
