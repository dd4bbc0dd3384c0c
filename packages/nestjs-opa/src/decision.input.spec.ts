import { buildDecisionInput, bulkQueries } from './decision.input.js';

describe('buildDecisionInput', () => {
  const base = {
    subject: { type: 'user', id: 'carol' },
    action: 'task:update',
    roles: {},
    bindings: [],
  };

  it('flattens resource attributes beside type and id', () => {
    const input = buildDecisionInput({
      ...base,
      resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
    });
    expect(input.resource).toEqual({ type: 'Task', id: 't-2', created_by: 'bob', status: 'open' });
  });

  it('lets type and id win over same-named attributes', () => {
    const input = buildDecisionInput({
      ...base,
      resource: { type: 'Task', id: 't-2', attributes: { type: 'Admin', id: 't-1' } },
    });
    expect(input.resource).toEqual({ type: 'Task', id: 't-2' });
  });

  it('lets a null id win over an id attribute on a collection-level decision', () => {
    const input = buildDecisionInput({
      ...base,
      resource: { type: 'Task', attributes: { id: 't-1', status: 'open' } },
    });
    expect(input.resource).toEqual({ type: 'Task', id: null, status: 'open' });
  });

  it('keeps an attribute named __proto__ as data, never as the prototype', () => {
    const attributes = JSON.parse('{"__proto__": {"admin": true}, "status": "open"}');
    const input = buildDecisionInput({
      ...base,
      resource: { type: 'Task', id: 't-2', attributes },
    });
    expect(Object.getPrototypeOf(input.resource)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(input.resource))).toEqual(
      JSON.parse('{"type": "Task", "id": "t-2", "__proto__": {"admin": true}, "status": "open"}'),
    );
  });

  it('sends a null id for a collection-level decision and empty subject attributes', () => {
    const input = buildDecisionInput({ ...base, resource: { type: 'Task' } });
    expect(input.resource).toEqual({ type: 'Task', id: null });
    expect(input.subject).toEqual({ type: 'user', id: 'carol', attributes: {} });
  });
});

describe('bulkQueries', () => {
  it('sends a row shared by several actions once, named by position', () => {
    const t1 = { type: 'Task', id: 't-1', attributes: { status: 'open' } };
    const t2 = { type: 'Task', id: 't-2' };
    const { resources, queries } = bulkQueries([
      { action: 'task:read', resource: t1 },
      { action: 'task:update', resource: t1 },
      { action: 'task:read', resource: t2 },
      { action: 'task:delete', resource: t1 },
    ]);
    expect(resources).toEqual([
      { type: 'Task', id: 't-1', status: 'open' },
      { type: 'Task', id: 't-2' },
    ]);
    expect(queries).toEqual([
      { action: 'task:read', resource_index: 0 },
      { action: 'task:update', resource_index: 0 },
      { action: 'task:read', resource_index: 1 },
      { action: 'task:delete', resource_index: 0 },
    ]);
  });

  it('shares a row between equal resources that are different objects', () => {
    const { resources, queries } = bulkQueries([
      {
        action: 'task:read',
        resource: { type: 'Task', id: 't-1', attributes: { status: 'open' } },
      },
      {
        action: 'task:update',
        resource: { type: 'Task', id: 't-1', attributes: { status: 'open' } },
      },
    ]);
    expect(resources).toEqual([{ type: 'Task', id: 't-1', status: 'open' }]);
    expect(queries.map((q) => q.resource_index)).toEqual([0, 0]);
  });

  it.each([
    ['another id', { type: 'Task', id: 't-2', attributes: { status: 'open' } }],
    ['another type', { type: 'Doc', id: 't-1', attributes: { status: 'open' } }],
    ['another attribute value', { type: 'Task', id: 't-1', attributes: { status: 'done' } }],
    ['one more attribute', { type: 'Task', id: 't-1', attributes: { status: 'open', x: 1 } }],
    ['one attribute fewer', { type: 'Task', id: 't-1' }],
    ['an equal but distinct object value', { type: 'Task', id: 't-1', attributes: { status: {} } }],
    ['a null id', { type: 'Task', id: null, attributes: { status: 'open' } }],
    ['an empty id', { type: 'Task', id: '', attributes: { status: 'open' } }],
  ])('keeps rows apart that differ by %s', (_name, other) => {
    const first = { type: 'Task', id: 't-1', attributes: { status: 'open' } };
    const { resources, queries } = bulkQueries([
      { action: 'task:read', resource: first },
      { action: 'task:read', resource: other },
    ]);
    expect(resources).toHaveLength(2);
    expect(queries.map((q) => q.resource_index)).toEqual([0, 1]);
  });

  it('tells a collection (no id) from an empty-string id', () => {
    const { resources } = bulkQueries([
      { action: 'task:list', resource: { type: 'Task' } },
      { action: 'task:read', resource: { type: 'Task', id: '' } },
      { action: 'task:create', resource: { type: 'Task', id: null } },
    ]);
    expect(resources).toEqual([
      { type: 'Task', id: null },
      { type: 'Task', id: '' },
    ]);
  });
});
