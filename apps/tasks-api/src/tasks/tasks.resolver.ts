import { BadRequestException } from '@nestjs/common';
import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
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
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { TaskActionsService } from './task-actions.service.js';
import { auditLine } from './task-change.entity.js';
import { TaskModel, TaskPageModel } from './task.model.js';
import type { Task } from './task.entity.js';
import { decidedOn, landed } from './task-writes.js';
import { TasksService } from './tasks.service.js';

/**
 * The task API over GraphQL (`POST /graphql`): the same permissions as the REST routes, decided
 * by the same guard, and the same service, so writes are conditional (409) and audited alike.
 */
@ResourceType('Task')
@Resolver(() => TaskModel)
export class TasksResolver {
  constructor(
    private readonly service: TasksService,
    private readonly actions: TaskActionsService,
  ) {}

  @Query(() => TaskModel, { nullable: true })
  @Authorize('task:read')
  async task(
    @Args('id', { type: () => ID }) id: string,
    @Authorization() authz: RequestAuthorization,
  ): Promise<TaskModel> {
    const task = landed(id, (await this.service.findById(id)) ?? 'not-found');
    return (await this.withActions([task], authz))[0]!;
  }

  /** The readable tasks (the policy as a SQL filter), each with its actions (one bulk call). */
  @Query(() => TaskPageModel)
  @AuthorizeList('task:read')
  async tasks(@Authorization() authz: RequestAuthorization): Promise<TaskPageModel> {
    const page = await this.service.findPage(authz.filter!, new ListTasksQuery());
    return { items: await this.withActions(page.items, authz) };
  }

  @Mutation(() => TaskModel)
  @Authorize('task:create', { collection: true })
  async createTask(
    @Args('title') title: string,
    @Context('req') req: { user: AuthenticatedSubject },
    @Authorization() authz: RequestAuthorization,
  ): Promise<TaskModel> {
    await validated(CreateTaskDto, { title });
    const task = await this.service.create(title, req.user);
    return (await this.withActions([task], authz))[0]!;
  }

  @Mutation(() => TaskModel)
  @Authorize('task:update')
  async updateTask(
    @Args('id', { type: () => ID }) id: string,
    @Args('title', { type: () => String, nullable: true }) title: string | undefined,
    @Args('status', { type: () => String, nullable: true }) status: string | undefined,
    @Authorization() authz: RequestAuthorization,
  ): Promise<TaskModel> {
    const changes = await validated(UpdateTaskDto, { title: title ?? undefined, status });
    const task = landed(
      id,
      await this.service.update(id, decidedOn(authz), changes, authz.subject),
    );
    return (await this.withActions([task], authz))[0]!;
  }

  @Mutation(() => Boolean)
  @Authorize('task:delete')
  async deleteTask(
    @Args('id', { type: () => ID }) id: string,
    @Authorization() authz: RequestAuthorization,
  ): Promise<boolean> {
    return landed(id, await this.service.remove(id, decidedOn(authz)));
  }

  /**
   * Who changed the task, when. Needs `task:audit` on the task (a global admin in the seed); a
   * denied caller gets `null` and a FORBIDDEN error at this path. For a list of tasks the guard
   * asks OPA once for all of them.
   */
  @ResolveField(() => [String], { nullable: true })
  @Authorize('task:audit')
  async auditLog(@Parent() task: TaskModel): Promise<string[]> {
    const changes = await this.service.changesOf([task.id]);
    return (changes.get(task.id) ?? []).map(auditLine);
  }

  private async withActions(tasks: Task[], authz: RequestAuthorization): Promise<TaskModel[]> {
    try {
      return await this.actions.withActions(tasks, authz);
    } catch (error) {
      // No verdicts, no answer: fail closed like the guard does.
      if (error instanceof OpaError) throw new DecisionUnavailableException();
      throw error;
    }
  }
}

/** GraphQL arguments checked by the REST DTO's rules (NUL characters refused as in the pipe). */
async function validated<T extends object>(
  type: new () => T,
  values: Record<string, unknown>,
): Promise<T> {
  const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const instance = plainToInstance(type, defined);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  const hasNul = Object.values(defined).some((v) => typeof v === 'string' && v.includes('\u0000'));
  if (errors.length > 0 || hasNul) {
    const fields = errors.map((error) => error.property);
    throw new BadRequestException(
      `Invalid ${fields.length ? fields.join(', ') : 'argument'}: validation failed`,
    );
  }
  return instance;
}
