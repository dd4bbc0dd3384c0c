import { parseBulkDecisions, parseDecision } from './decision.parser.js';

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

describe('parseBulkDecisions', () => {
  it('maps verdicts by index, whatever their order', () => {
    const response = {
      result: [
        { index: 1, permit: true },
        { index: 0, permit: false },
        { index: 2, permit: true },
      ],
    };
    expect(parseBulkDecisions(response, 3)).toEqual([false, true, true]);
  });

  it.each([
    ['a missing entry', { result: [{ index: 0, permit: true }] }, [true, false]],
    ['a non-array result', { result: { 0: true } }, [false, false]],
    [
      'an index out of range',
      {
        result: [
          { index: 2, permit: true },
          { index: -1, permit: true },
        ],
      },
      [false, false],
    ],
    ['a fractional index', { result: [{ index: 0.5, permit: true }] }, [false, false]],
    [
      'a truthy non-boolean',
      {
        result: [
          { index: 0, permit: 'yes' },
          { index: 1, permit: 1 },
        ],
      },
      [false, false],
    ],
    [
      'conflicting duplicates',
      {
        result: [
          { index: 0, permit: true },
          { index: 0, permit: false },
          { index: 1, permit: false },
          { index: 1, permit: true },
        ],
      },
      [false, false],
    ],
  ])('denies %s', (_label, response, expected) => {
    expect(parseBulkDecisions(response, 2)).toEqual(expected);
  });
});
