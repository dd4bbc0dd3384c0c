import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ResourceAttributes, ResourceFilter } from 'nestjs-opa';
import { applyResourceFilter } from 'nestjs-opa/typeorm';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { AuthenticatedSubject } from '../auth/authenticated-subject.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { TASK_FIELDS, Task, taskAsDecided } from './task.entity.js';

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

  /** Records the creator's type with its id: a user and a token of the same id own different tasks. */
  create(title: string, creator: AuthenticatedSubject): Promise<Task> {
    return this.tasks.save(
      this.tasks.create({
        id: `t-${randomUUID()}`,
        title,
        status: 'open',
        createdBy: creator.id,
        createdByType: creator.type,
      }),
    );
  }

  /** Applies `changes` if the task still has the attributes `decided` on; then reads it back. */
  async update(
    id: string,
    decided: ResourceAttributes,
    changes: UpdateTaskDto,
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
        ? ((await this.tasks.update(where, set)).affected ?? 0) > 0
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

  private async whyMissed(id: string): Promise<MissedWrite> {
    return (await this.tasks.existsBy({ id })) ? 'changed' : 'not-found';
  }
}
