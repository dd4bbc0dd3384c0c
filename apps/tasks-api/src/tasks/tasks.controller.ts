import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { Authorize, ResourceType, type SubjectRef } from 'nestjs-opa';
import { AuthorizedInHandler } from '../authz/authorized-in-handler.decorator.js';
import { CurrentSubject } from '../auth/current-subject.decorator.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import type { Task } from './task.entity.js';
import { TasksService } from './tasks.service.js';

/** The task API. Every route needs a valid JWT; each states the permission it requires. */
@ResourceType('Task')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** Never a 403: a subject without rights simply sees an empty list. */
  @Get()
  @AuthorizedInHandler('task:read')
  async list(@CurrentSubject() subject: SubjectRef): Promise<{ items: Task[] }> {
    return { items: await this.tasks.findReadableBy(subject) };
  }

  @Get(':id')
  @Authorize('task:read')
  async findOne(@Param('id') id: string): Promise<Task> {
    return this.found(id, await this.tasks.findById(id));
  }

  @Post()
  @Authorize('task:create', { collection: true })
  create(@Body() body: CreateTaskDto, @CurrentSubject() subject: SubjectRef): Promise<Task> {
    return this.tasks.create(body.title, subject.id);
  }

  @Patch(':id')
  @Authorize('task:update')
  async update(@Param('id') id: string, @Body() body: UpdateTaskDto): Promise<Task> {
    return this.found(id, await this.tasks.update(id, body));
  }

  @Delete(':id')
  @Authorize('task:delete')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id') id: string): Promise<void> {
    if (!(await this.tasks.remove(id))) this.found(id, null);
  }

  /** The guard already answered 404 for unknown ids; this covers a row deleted meanwhile. */
  private found(id: string, task: Task | null): Task {
    if (!task) throw new NotFoundException(`Task "${id}" not found`);
    return task;
  }
}
