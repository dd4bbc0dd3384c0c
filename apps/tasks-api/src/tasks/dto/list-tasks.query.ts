import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `GET /tasks?limit=&after=`: keyset pagination over task ids. */
export class ListTasksQuery {
  /** Rows per page. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  /** The last id of the previous page (its `next`). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;
}
