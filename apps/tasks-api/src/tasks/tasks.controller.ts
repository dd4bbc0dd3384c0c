import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
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
} from 'nestjs-opa';
import type { AuthenticatedSubject } from '../auth/authenticated-subject.js';
import { CurrentSubject } from '../auth/current-subject.decorator.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { TaskActionsService, type TaskWithActions } from './task-actions.service.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import type { Task } from './task.entity.js';
import { decidedOn, landed } from './task-writes.js';
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
    return landed(id, (await this.tasks.findById(id)) ?? 'not-found');
  }

  @Post()
  @Authorize('task:create', { collection: true })
  create(
    @Body() body: CreateTaskDto,
    @CurrentSubject() subject: AuthenticatedSubject,
  ): Promise<Task> {
    return this.tasks.create(body.title, subject);
  }

  /** Lands only if the task still looks as the decision saw it; 409 when it changed meanwhile. */
  @Patch(':id')
  @Authorize('task:update')
  async update(
    @Param('id') id: string,
    @Body() body: UpdateTaskDto,
    @Authorization() authz: RequestAuthorization,
  ): Promise<Task> {
    return landed(id, await this.tasks.update(id, decidedOn(authz), body, authz.subject));
  }

  /** Like update: 409 when the task changed between the decision and the delete. */
  @Delete(':id')
  @Authorize('task:delete')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @Param('id') id: string,
    @Authorization() authz: RequestAuthorization,
  ): Promise<void> {
    landed(id, await this.tasks.remove(id, decidedOn(authz)));
  }
}
