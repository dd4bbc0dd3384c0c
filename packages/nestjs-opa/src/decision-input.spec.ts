import { buildDecisionInput } from './decision-input.js';

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
