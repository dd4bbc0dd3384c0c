import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ResourceFilter } from 'nestjs-opa';
import { applyResourceFilter } from 'nestjs-opa/typeorm';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { TASK_FIELDS, Task } from './task.entity.js';

/** A page of tasks and the cursor of the next one. */
export interface TaskPage {
  items: Task[];
  next?: string;
}

/** Reads and writes tasks. Point authorization happens in the guard, before these methods run. */
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

  create(title: string, createdBy: string): Promise<Task> {
    return this.tasks.save(
      this.tasks.create({ id: `t-${randomUUID()}`, title, status: 'open', createdBy }),
    );
  }

  /** Applies `changes`; `null` when the task vanished after the guard loaded it. */
  async update(id: string, changes: UpdateTaskDto): Promise<Task | null> {
    const task = await this.findById(id);
    if (!task) return null;
    return this.tasks.save(this.tasks.merge(task, changes));
  }

  /** `false` when there was nothing to delete. */
  async remove(id: string): Promise<boolean> {
    const result = await this.tasks.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
