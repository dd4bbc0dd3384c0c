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

  it('sends a null id for a collection-level decision and empty subject attributes', () => {
    const input = buildDecisionInput({ ...base, resource: { type: 'Task' } });
    expect(input.resource).toEqual({ type: 'Task', id: null });
    expect(input.subject).toEqual({ type: 'user', id: 'carol', attributes: {} });
  });
});
