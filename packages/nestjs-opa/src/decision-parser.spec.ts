import { parseDecision } from './decision-parser.js';

describe('parseDecision', () => {
  it('reads a complete permit with its decision id', () => {
    const decision = parseDecision({
      decision_id: 'd-1',
      result: { permit: true, allow: true, deny: false },
    });
    expect(decision).toEqual({
      permit: true,
      allow: true,
      deny: false,
      decisionId: 'd-1',
      raw: { permit: true, allow: true, deny: false },
    });
  });

  it.each([
    ['an undefined result', {}],
    ['a null body', null],
    ['a result that is not an object', { result: 'permit' }],
    ['a result that is an array', { result: [true] }],
    ['a missing deny key', { result: { permit: true, allow: true } }],
    ['a missing allow key', { result: { permit: true, deny: false } }],
    ['a string "true"', { result: { permit: 'true', allow: 'true', deny: false } }],
    ['a truthy number', { result: { permit: 1, allow: 1, deny: 0 } }],
    ['permit contradicting deny', { result: { permit: true, allow: true, deny: true } }],
    ['permit contradicting allow', { result: { permit: true, allow: false, deny: false } }],
  ])('denies on %s', (_label, response) => {
    expect(parseDecision(response).permit).toBe(false);
  });

  it('reports allow and deny as given when a veto applies', () => {
    const decision = parseDecision({ result: { permit: false, allow: true, deny: true } });
    expect(decision).toMatchObject({ permit: false, allow: true, deny: true });
  });

  it('ignores a decision id that is not a non-empty string', () => {
    expect(parseDecision({ decision_id: 42, result: {} }).decisionId).toBeUndefined();
    expect(parseDecision({ decision_id: '', result: {} }).decisionId).toBeUndefined();
  });
});
