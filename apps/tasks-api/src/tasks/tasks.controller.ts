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
  Query,
} from '@nestjs/common';
import {
  Authorization,
  Authorize,
  AuthorizeList,
  DecisionUnavailableException,
  OpaError,
  ResourceType,
  type RequestAuthorization,
  type SubjectRef,
} from 'nestjs-opa';
import { CurrentSubject } from '../auth/current-subject.decorator.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { TaskActionsService, type TaskWithActions } from './task-actions.service.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import type { Task } from './task.entity.js';
import { TasksService } from './tasks.service.js';

/** The task API. Every route needs a valid JWT; each states the permission it requires. */
@ResourceType('Task')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly actions: TaskActionsService,
  ) {}

  /**
   * The tasks the caller may read, filtered in SQL by the policy (never a 403: no rights, no rows),
   * each with the actions the caller may take on it, decided in one bulk call.
   */
  @Get()
  @AuthorizeList('task:read')
  async list(
    @Authorization() authz: RequestAuthorization,
    @Query() query: ListTasksQuery,
  ): Promise<{ items: TaskWithActions[]; next?: string }> {
    const page = await this.tasks.findPage(authz.filter!, query);
    try {
      return { items: await this.actions.withActions(page.items, authz), next: page.next };
    } catch (error) {
      // No verdicts, no page: fail closed like the guard does.
      if (error instanceof OpaError) throw new DecisionUnavailableException();
      throw error;
    }
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
