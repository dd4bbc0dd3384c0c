import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  Post,
  type MiddlewareConsumer,
  type NestModule,
  type Type,
} from '@nestjs/common';
import {
  Authorize,
  OpaModule,
  Public,
  ResourceLoader,
  ResourceType,
  type AuthorizationContext,
  type AuthzRepository,
  type RequestAuthorization,
  type Subject,
} from '../../src/index.js';

/** Seed-like data: alice admin, bob editor on type Task, erin banned editor, token ci-bot viewer. */
const roles = {
  viewer: { permissions: ['task:read', 'task:list'] },
  editor: { permissions: ['task:read', 'task:list', 'task:create', 'task:update'] },
  admin: { permissions: ['task:*'] },
};
const bindings = [
  { subject: { type: 'user', id: 'alice' }, role: 'admin', scope: null },
  { subject: { type: 'user', id: 'bob' }, role: 'editor', scope: { type: 'Task' } },
  { subject: { type: 'user', id: 'erin' }, role: 'editor', scope: null },
  { subject: { type: 'token', id: 'ci-bot' }, role: 'viewer', scope: null },
];
// Keyed by type and id, like the bindings: a token `erin` is not the banned user `erin`.
const attributes: Record<string, Record<string, unknown>> = { 'user:erin': { banned: true } };
export const tasks: Record<
  string,
  { created_by: string; created_by_type: string; status: string }
> = {
  't-1': { created_by: 'alice', created_by_type: 'user', status: 'open' },
  't-3': { created_by: 'dave', created_by_type: 'user', status: 'open' },
};

/** The application's repository, in memory here: the library's tests are about the guard. */
@Injectable()
export class InMemoryAuthzRepository implements AuthzRepository {
  calls = 0;
  async loadContext(subject: Subject): Promise<AuthorizationContext> {
    this.calls++;
    return {
      roles,
      bindings: bindings.filter(
        (b) => b.subject.type === subject.type && b.subject.id === subject.id,
      ),
      attributes: attributes[`${subject.type}:${subject.id}`] ?? {},
    };
  }
}

@ResourceLoader('Task')
@Injectable()
export class TaskLoader implements ResourceLoader {
  async load(id: string) {
    return tasks[id];
  }
}

@ResourceType('Task')
@Controller('tasks')
export class TasksController {
  @Get(':id')
  @Authorize('task:read')
  read(@Param('id') id: string) {
    return { id, ...tasks[id] };
  }

  @Post()
  @Authorize('task:create', { collection: true })
  create(@Body() body: { title?: string }) {
    return { title: body.title };
  }

  /** Availability over access control, on purpose: still denies what OPA denies. */
  @Get(':id/summary')
  @Authorize('task:read', { failOpen: true })
  summary(@Param('id') id: string) {
    return { id };
  }

  @Get(':id/authorization')
  @Authorize('task:read')
  authorization(@Param('id') _id: string) {
    return {};
  }
}

@Controller()
export class MiscController {
  @Get('public')
  @Public()
  open() {
    return { ok: true };
  }

  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }
}

/** Reads `x-subject: user:alice`, standing in for Passport in these tests. */
export function subjectFromHeader(req: {
  headers: Record<string, string | string[] | undefined>;
}): Subject | undefined {
  const header = req.headers['x-subject'];
  if (typeof header !== 'string') return undefined;
  const [type, id] = header.split(':');
  return type && id ? { type, id } : undefined;
}

/** Express middleware setting `request.user`, so the default subject resolver is exercised. */
function userFromHeader(
  req: { headers: Record<string, string | undefined>; user?: unknown },
  _res: unknown,
  next: () => void,
) {
  req.user = subjectFromHeader(req);
  next();
}

@Module({
  controllers: [TasksController, MiscController],
  providers: [TaskLoader],
})
export class FixturesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(userFromHeader).forRoutes('*path');
  }
}

/**
 * A scenario's app: the fixtures' routes plus `modules`, guarded by `OpaModule.forRoot(options)`
 * with the in-memory repository (options may replace it).
 */
export function createFixturesAppModule(
  options: Parameters<typeof OpaModule.forRoot>[0],
  ...modules: Type[]
) {
  @Module({
    imports: [
      OpaModule.forRoot({ repository: InMemoryAuthzRepository, ...options }),
      FixturesModule,
      ...modules,
    ],
  })
  class AppModule {}
  return AppModule;
}

export type { RequestAuthorization };
