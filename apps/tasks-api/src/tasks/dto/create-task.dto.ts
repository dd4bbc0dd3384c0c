import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /tasks`. The creator and the status are not the client's to choose. */
export class CreateTaskDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;
}
