import { Injectable } from '@nestjs/common';
import { ResourceLoader, type ResourceAttributes } from 'nestjs-opa';
import { TasksService } from './tasks.service.js';
import { taskAttributes } from './task.entity.js';

/**
 * Lets the guard show OPA a task's creator (type and id) and status; an unknown id becomes a 404.
 * The handlers write only if the row still has these attributes (see TasksService).
 */
@ResourceLoader('Task')
@Injectable()
export class TaskLoader implements ResourceLoader {
  constructor(private readonly tasks: TasksService) {}

  async load(id: string): Promise<ResourceAttributes | undefined> {
    const task = await this.tasks.findById(id);
    return task ? taskAttributes(task) : undefined;
  }
}
