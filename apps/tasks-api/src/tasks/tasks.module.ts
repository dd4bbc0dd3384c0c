import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Task } from './task.entity.js';
import { TaskActionsService } from './task-actions.service.js';
import { TaskLoader } from './task.loader.js';
import { TasksController } from './tasks.controller.js';
import { TasksResolver } from './tasks.resolver.js';
import { TasksService } from './tasks.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Task])],
  controllers: [TasksController],
  providers: [TasksService, TaskActionsService, TaskLoader, TasksResolver],
})
export class TasksModule {}
