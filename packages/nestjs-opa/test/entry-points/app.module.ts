import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Controller, Module } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLModule,
  ID,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import {
  Authorization,
  Authorize,
  AuthorizeList,
  matchesFilter,
  OpaModule,
  ResourceType,
  type RequestAuthorization,
} from '../../src/index.js';
import {
  FixturesModule,
  InMemoryAuthzRepository,
  subjectFromHeader,
  tasks,
} from '../support/fixtures.js';

@ObjectType('Task')
class TaskModel {
  @Field(() => ID) id!: string;
  @Field() status!: string;
}

function taskModel(id: string): TaskModel | null {
  const task = tasks[id];
  return task ? { id, status: task.status } : null;
}

@ResourceType('Task')
@Resolver(() => TaskModel)
export class TaskResolver {
  @Query(() => TaskModel, { nullable: true })
  @Authorize('task:read')
  task(@Args('id', { type: () => ID }) id: string) {
    return taskModel(id);
  }

  @Query(() => [TaskModel])
  @AuthorizeList('task:read')
  tasks(@Authorization() authz: RequestAuthorization) {
    return Object.keys(tasks)
      .filter((id) => matchesFilter(authz.filter!, { id, ...tasks[id] }))
      .map((id) => taskModel(id)!);
  }

  @Mutation(() => Boolean)
  @Authorize('task:create', { collection: true })
  createTask() {
    return true;
  }

  /** Field-level: only subjects with `task:audit` on the parent task see it. */
  @ResolveField(() => String, { nullable: true })
  @Authorize('task:audit')
  audit(@Parent() task: TaskModel) {
    return `audit of ${task.id}`;
  }

  /** Forgotten too: a field resolver with neither decorator is denied and reported. */
  @ResolveField(() => String, { nullable: true })
  summary(@Parent() task: TaskModel) {
    return `summary of ${task.id}`;
  }

  @Query(() => String)
  forgotten() {
    return 'leaked';
  }
}

/** `ws` adapter: the connection handler authenticates the handshake and sets `client.user`. */
@ResourceType('Task')
@WebSocketGateway({ path: '/ws' })
export class TaskGateway implements OnGatewayConnection {
  handleConnection(client: { user?: unknown }, request: IncomingMessage) {
    client.user = subjectFromHeader(request);
  }

  @SubscribeMessage('task.read')
  @Authorize('task:read')
  read(@MessageBody() body: { id: string }) {
    return { event: 'task', data: { id: body.id, ...tasks[body.id] } };
  }

  @SubscribeMessage('task.peek')
  peek() {
    return { event: 'leaked', data: true };
  }
}

/** TCP microservice: a trusted caller puts the subject in the payload's `user`. */
@ResourceType('Task')
@Controller()
export class TaskMessages {
  @MessagePattern('task.read')
  @Authorize('task:read')
  read(@Payload() payload: { id: string }) {
    return { id: payload.id, ...tasks[payload.id] };
  }

  @MessagePattern('task.peek')
  peek() {
    return 'leaked';
  }
}

export function createAppModule(opaUrl: string) {
  @Module({
    imports: [
      OpaModule.forRoot({ url: opaUrl, repository: InMemoryAuthzRepository }),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        // Guards on @ResolveField() too: that is what makes field-level authorization work.
        fieldResolverEnhancers: ['guards'],
        context: ({ req }: { req: unknown }) => ({ req }),
      }),
      FixturesModule,
    ],
    controllers: [TaskMessages],
    providers: [TaskResolver, TaskGateway],
  })
  class AppModule {}
  return AppModule;
}
