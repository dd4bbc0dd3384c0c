import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ResourceAttributes, ResourceFilter, SubjectRef } from 'nestjs-opa';
import { applyResourceFilter } from 'nestjs-opa/typeorm';
import { randomUUID } from 'node:crypto';
import { In, type EntityManager, type Repository } from 'typeorm';
import type { AuthenticatedSubject } from '../auth/authenticated-subject.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { TaskChange } from './task-change.entity.js';
import { TASK_FIELDS, Task, taskAsDecided } from './task.entity.js';
import { inTransaction } from '../database/transaction.js';

/** A page of tasks and the cursor of the next one. */
export interface TaskPage {
  items: Task[];
  next?: string;
}

/**
 * Why a write guarded by a decision did not land: the row is gone, or it no longer looks like
 * what the decision saw (archived, handed to someone else, ...) so the decision does not hold.
 */
export type MissedWrite = 'not-found' | 'changed';

/**
 * Reads and writes tasks. Point authorization happens in the guard, before these methods run;
 * updates and deletes take the attributes that decision saw and land only if the row still has
 * them, in the same SQL statement (check-then-act without the race).
 */
@Injectable()
export class TasksService {
  constructor(@InjectRepository(Task) private readonly tasks: Repository<Task>) {}

  findById(id: string): Promise<Task | null> {
    return this.tasks.findOneBy({ id });
  }

  /**
   * One page of the tasks the filter keeps, in id order: the policy's conditions become part of
   * the WHERE clause, so the database never returns a row the subject may not read.
   */
  async findPage(
    filter: ResourceFilter,
    page: { limit: number; after?: string },
  ): Promise<TaskPage> {
    const query = this.tasks
      .createQueryBuilder('task')
      .orderBy('task.id', 'ASC')
      .limit(page.limit + 1);
    if (page.after !== undefined) query.andWhere('task.id > :after', { after: page.after });
    applyResourceFilter(query, filter, { fields: TASK_FIELDS });
    const rows = await query.getMany();
    const items = rows.slice(0, page.limit);
    return { items, next: rows.length > page.limit ? items.at(-1)?.id : undefined };
  }

  /**
   * Records the creator's type with its id: a user and a token of the same id own different tasks.
   * The task and its first audit entry are written together.
   */
  create(title: string, creator: AuthenticatedSubject): Promise<Task> {
    return inTransaction(this.tasks.manager.connection, async (manager) => {
      const task = await manager.save(
        manager.create(Task, {
          id: `t-${randomUUID()}`,
          title,
          status: 'open',
          createdBy: creator.id,
          createdByType: creator.type,
        }),
      );
      await recordChange(manager, task.id, 'created', creator);
      return task;
    });
  }

  /**
   * Applies `changes` if the task still has the attributes `decided` on, recording who made them
   * in the same transaction; then reads the task back.
   */
  async update(
    id: string,
    decided: ResourceAttributes,
    changes: UpdateTaskDto,
    actor: SubjectRef,
  ): Promise<Task | MissedWrite> {
    const where = taskAsDecided(id, decided);
    // Only the fields the client sent: an absent one must not be written as NULL.
    const set = Object.fromEntries(
      Object.entries({ title: changes.title, status: changes.status }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const landed =
      Object.keys(set).length > 0
        ? await inTransaction(this.tasks.manager.connection, async (manager) => {
            if (((await manager.update(Task, where, set)).affected ?? 0) === 0) return false;
            await recordChange(manager, id, 'updated', actor);
            return true;
          })
        : await this.tasks.existsBy(where);
    if (!landed) return this.whyMissed(id);
    return (await this.findById(id)) ?? 'not-found';
  }

  /** Deletes the task if it still has the attributes `decided` on. */
  async remove(id: string, decided: ResourceAttributes): Promise<true | MissedWrite> {
    const result = await this.tasks.delete(taskAsDecided(id, decided));
    if ((result.affected ?? 0) > 0) return true;
    return this.whyMissed(id);
  }

  /** The audit entries of each task, oldest first, in one query. */
  async changesOf(taskIds: readonly string[]): Promise<Map<string, TaskChange[]>> {
    const changes = new Map(taskIds.map((id) => [id, [] as TaskChange[]]));
    if (taskIds.length === 0) return changes;
    const rows = await this.tasks.manager.find(TaskChange, {
      where: { taskId: In([...taskIds]) },
      order: { id: 'ASC' },
    });
    for (const row of rows) changes.get(row.taskId)?.push(row);
    return changes;
  }

  private async whyMissed(id: string): Promise<MissedWrite> {
    return (await this.tasks.existsBy({ id })) ? 'changed' : 'not-found';
  }
}

function recordChange(
  manager: EntityManager,
  taskId: string,
  change: TaskChange['change'],
  actor: SubjectRef,
): Promise<unknown> {
  return manager.insert(TaskChange, {
    taskId,
    change,
    actorType: actor.type,
    actorId: actor.id,
    at: new Date().toISOString(),
  });
}
