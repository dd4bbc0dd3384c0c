import { Injectable } from '@nestjs/common';
import { OpaService, type RequestAuthorization } from 'nestjs-opa';
import { Task, taskAttributes } from './task.entity.js';

/** The per-row actions a list page offers (the buttons a UI shows). */
export const ROW_ACTIONS = ['task:read', 'task:update', 'task:delete'] as const;

/** A task with the actions the subject may take on it. */
export type TaskWithActions = Task & { actions: string[] };

/** Decides every row × every action of a page in one bulk call to OPA. */
@Injectable()
export class TaskActionsService {
  constructor(private readonly opa: OpaService) {}

  async withActions(tasks: Task[], authz: RequestAuthorization): Promise<TaskWithActions[]> {
    if (tasks.length === 0) return [];
    const verdicts = await this.opa.checkMany({
      subject: authz.subject,
      roles: authz.roles,
      bindings: authz.bindings,
      items: tasks.flatMap((task) =>
        ROW_ACTIONS.map((action) => ({
          action,
          resource: { type: 'Task', id: task.id, attributes: taskAttributes(task) },
        })),
      ),
    });
    return tasks.map((task, row) => ({
      ...task,
      actions: ROW_ACTIONS.filter(
        (_, column) => verdicts[row * ROW_ACTIONS.length + column]!.permit,
      ),
    }));
  }
}
