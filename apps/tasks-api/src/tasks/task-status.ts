/** The states a task moves through. An archived task is frozen by policy: no update, no delete. */
export const TASK_STATUSES = ['open', 'done', 'archived'] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];
