import type {
  CheckRequest,
  CompileFilterRequest,
  RoleBinding,
  RoleCatalogue,
  Subject,
} from '../../src/index.js';

/** The sample's seed data (shared/authz-model.md), for library tests against the real engine. */
export const seedRoles: RoleCatalogue = {
  viewer: { permissions: ['task:read', 'task:list'] },
  editor: { permissions: ['task:read', 'task:list', 'task:create', 'task:update'] },
  admin: { permissions: ['task:*'] },
};

const user = (id: string): Subject => ({ type: 'user', id });

export const seedBindings: RoleBinding[] = [
  { subject: user('alice'), role: 'admin', scope: null },
  { subject: user('bob'), role: 'editor', scope: { type: 'Task' } },
  { subject: user('carol'), role: 'viewer', scope: null },
  { subject: user('carol'), role: 'editor', scope: { type: 'Task', id: 't-2' } },
  { subject: user('erin'), role: 'editor', scope: null },
  { subject: { type: 'token', id: 'ci-bot' }, role: 'viewer', scope: null },
];

export const seedSubjects: Subject[] = [
  user('alice'),
  user('bob'),
  user('carol'),
  user('dave'),
  { ...user('erin'), attributes: { banned: true } },
  { type: 'token', id: 'ci-bot' },
  user('ci-bot'),
  user('mallory'),
];

export const seedTasks = [
  { id: 't-1', created_by: 'alice', created_by_type: 'user', status: 'open' },
  { id: 't-2', created_by: 'bob', created_by_type: 'user', status: 'open' },
  { id: 't-3', created_by: 'dave', created_by_type: 'user', status: 'open' },
  { id: 't-4', created_by: 'carol', created_by_type: 'user', status: 'archived' },
];

export const bindingsOf = (subject: Subject) =>
  seedBindings.filter((b) => b.subject.type === subject.type && b.subject.id === subject.id);

/** A filter over seed tasks for one seed subject, with the seed roles and its own bindings. */
export const seedFilterRequest = (subject: Subject, action: string): CompileFilterRequest => ({
  subject,
  action,
  resourceType: 'Task',
  roles: seedRoles,
  bindings: bindingsOf(subject),
});

/** carol is an editor of t-2: permitted. */
export const carolUpdatesT2: CheckRequest = {
  subject: { type: 'user', id: 'carol' },
  action: 'task:update',
  resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
  roles: { editor: { permissions: ['task:read', 'task:update'] } },
  bindings: [
    { subject: { type: 'user', id: 'carol' }, role: 'editor', scope: { type: 'Task', id: 't-2' } },
  ],
};

/** dave, with no role bindings, updates t-3, the task he created: only the sample's ownership rule grants it. */
export const daveUpdatesT3: CheckRequest = {
  subject: user('dave'),
  action: 'task:update',
  resource: {
    type: 'Task',
    id: 't-3',
    attributes: { created_by: 'dave', created_by_type: 'user', status: 'open' },
  },
  roles: seedRoles,
  bindings: [],
};
