import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '../task-status.js';

/** Body of `PATCH /tasks/:id`: any subset of the editable fields. */
export class UpdateTaskDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;
}
