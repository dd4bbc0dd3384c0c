import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  DecisionUnavailableException,
  InjectAuthzRepository,
  OpaService,
  type AuthzRepository,
  type SubjectRef,
} from 'nestjs-opa';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { Task, taskAttributes } from './task.entity.js';

/** Reads and writes tasks. Point authorization happens in the guard, before these methods run. */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @InjectRepository(Task) private readonly tasks: Repository<Task>,
    @InjectAuthzRepository() private readonly authz: AuthzRepository,
    private readonly opa: OpaService,
  ) {}

  findById(id: string): Promise<Task | null> {
    return this.tasks.findOneBy({ id });
  }

  /**
   * The tasks `subject` may `task:read`, and only those. Today each row is checked with OPA (one
   * decision per row, in parallel); this is the one place to swap for a query filtered in SQL
   * from OPA's partial evaluation of `data.authz.include`.
   *
   * @throws DecisionUnavailableException when no decision can be made (OPA down): fail closed.
   */
  async findReadableBy(subject: SubjectRef): Promise<Task[]> {
    const tasks = await this.tasks.find({ order: { id: 'ASC' } });
    if (tasks.length === 0) return [];
    try {
      const context = await this.authz.loadContext(subject);
      const decisions = await Promise.all(
        tasks.map((task) =>
          this.opa.check({
            subject: { ...subject, attributes: context.attributes ?? {} },
            action: 'task:read',
            resource: { type: 'Task', id: task.id, attributes: taskAttributes(task) },
            roles: context.roles,
            bindings: context.bindings,
          }),
        ),
      );
      return tasks.filter((_, index) => decisions[index]?.permit === true);
    } catch (error) {
      this.logger.error(`Cannot filter tasks: ${error instanceof Error ? error.message : error}`);
      throw new DecisionUnavailableException();
    }
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
