import { buildDecisionInput, bulkQueries } from './decision-input.js';

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

  it('never merges equal-looking rows that are different objects', () => {
    const { resources, queries } = bulkQueries([
      { action: 'task:read', resource: { type: 'Task', id: 't-1' } },
      { action: 'task:read', resource: { type: 'Task', id: 't-1' } },
    ]);
    expect(resources).toHaveLength(2);
    expect(queries.map((q) => q.resource_index)).toEqual([0, 1]);
  });
});
