/**
 * An independent implementation of the authorization model (/work/shared/authz-model.md) over its
 * seed tables, written from the document and not from the app or the Rego: the end-to-end tests
 * derive every expected status code from it.
 */
import type { TestSubject } from './tokens.js';

interface Scope {
  type: string;
  id?: string;
}
interface Binding {
  subject: TestSubject;
  role: string;
  scope: Scope | null;
}
export interface OracleTask {
  id: string;
  createdBy: string;
  /** `null`: a row older than the column, whose creator type is unknown. */
  createdByType: TestSubject['type'] | null;
  status: string;
}
interface Resource {
  type: 'Task';
  id: string | null;
  createdBy?: string;
  createdByType?: string | null;
  status?: string;
}

const ROLES: Record<string, string[]> = {
  viewer: ['task:read', 'task:list'],
  editor: ['task:read', 'task:list', 'task:create', 'task:update'],
  admin: ['task:*'],
};

const user = (id: string): TestSubject => ({ type: 'user', id });

const BINDINGS: Binding[] = [
  { subject: user('alice'), role: 'admin', scope: null },
  { subject: user('bob'), role: 'editor', scope: { type: 'Task' } },
  { subject: user('carol'), role: 'viewer', scope: null },
  { subject: user('carol'), role: 'editor', scope: { type: 'Task', id: 't-2' } },
  { subject: user('erin'), role: 'editor', scope: null },
  { subject: { type: 'token', id: 'ci-bot' }, role: 'viewer', scope: null },
];

const BANNED = new Set(['user:erin']);

/** The seed subjects, plus `mallory`, who authenticates but has no record at all. */
export const SUBJECTS: TestSubject[] = [
  user('alice'),
  user('bob'),
  user('carol'),
  user('dave'),
  user('erin'),
  { type: 'token', id: 'ci-bot' },
  user('ci-bot'),
  user('mallory'),
];

/** The seed tasks, exactly as the document lists them. */
export const TASKS: OracleTask[] = [
  { id: 't-1', createdBy: 'alice', createdByType: 'user', status: 'open' },
  { id: 't-2', createdBy: 'bob', createdByType: 'user', status: 'open' },
  { id: 't-3', createdBy: 'dave', createdByType: 'user', status: 'open' },
  { id: 't-4', createdBy: 'carol', createdByType: 'user', status: 'archived' },
];

/**
 * Not seed data: a task the token `ci-bot` created, which gives the user `ci-bot` nothing. The
 * tests that need it insert it (see `insertTasks`).
 */
export const TOKEN_CI_BOT_TASK: OracleTask = {
  id: 't-by-token-ci-bot',
  createdBy: 'ci-bot',
  createdByType: 'token',
  status: 'open',
};

const covers = (permission: string, action: string) =>
  permission === '*' ||
  permission === action ||
  (permission.endsWith(':*') && action.startsWith(permission.slice(0, -1)));

const scopeCovers = (scope: Scope | null, resource: Resource) =>
  scope === null ||
  (scope.type === resource.type &&
    (scope.id === undefined || (resource.id !== null && scope.id === resource.id)));

function allow(subject: TestSubject, action: string, resource: Resource): boolean {
  const rbac = BINDINGS.some(
    (b) =>
      b.subject.type === subject.type &&
      b.subject.id === subject.id &&
      (ROLES[b.role] ?? []).some((p) => covers(p, action)) &&
      scopeCovers(b.scope, resource),
  );
  // Same type and id: the token ci-bot's task gives the user ci-bot nothing.
  const owner =
    subject.type === 'user' &&
    (action === 'task:read' || action === 'task:update') &&
    resource.createdByType === subject.type &&
    resource.createdBy === subject.id;
  return rbac || owner;
}

function deny(subject: TestSubject, action: string, resource: Resource): boolean {
  const banned = BANNED.has(`${subject.type}:${subject.id}`);
  const frozen =
    resource.status === 'archived' && (action === 'task:update' || action === 'task:delete');
  return banned || frozen;
}

/** Whether the model permits `subject` to do `action` on `task` (or on the collection). */
export function permits(subject: TestSubject, action: string, task: OracleTask | null): boolean {
  const resource: Resource = task
    ? {
        type: 'Task',
        id: task.id,
        createdBy: task.createdBy,
        createdByType: task.createdByType,
        status: task.status,
      }
    : { type: 'Task', id: null };
  return allow(subject, action, resource) && !deny(subject, action, resource);
}

export const label = (subject: TestSubject) => `${subject.type} ${subject.id}`;
