import { Field, ID, ObjectType } from '@nestjs/graphql';

/** GraphQL's `Task`: the entity's public fields, the caller's actions, and the guarded audit log. */
@ObjectType('Task')
export class TaskModel {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field()
  status!: string;

  @Field()
  createdBy!: string;

  /** What the caller may do with the task (`task:read`, `task:update`, `task:delete`). */
  @Field(() => [String])
  actions!: string[];
}

/** GraphQL's `TaskPage`. */
@ObjectType('TaskPage')
export class TaskPageModel {
  @Field(() => [TaskModel])
  items!: TaskModel[];
}
