import { Injectable } from '@nestjs/common';
import { ResourceLoader, type ResourceAttributes } from 'nestjs-opa';
import { TasksService } from './tasks.service.js';
import { taskAttributes } from './task.entity.js';

/** Lets the guard show OPA a task's owner and status; an unknown id becomes a 404. */
@ResourceLoader('Task')
@Injectable()
export class TaskLoader implements ResourceLoader {
  constructor(private readonly tasks: TasksService) {}

  async load(id: string): Promise<ResourceAttributes | undefined> {
    const task = await this.tasks.findById(id);
    return task ? taskAttributes(task) : undefined;
  }
}
