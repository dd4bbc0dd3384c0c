import { UnsupportedResidualError } from '../opa.errors.js';
import { parseResidual } from './residual.parser.js';

const field = (...path: string[]) => ({
  type: 'ref',
  value: [
    { type: 'var', value: 'input' },
    ...['resource', ...path].map((p) => ({ type: 'string', value: p })),
  ],
});
const op = (name: string) => ({ type: 'ref', value: [{ type: 'var', value: name }] });
const str = (value: string) => ({ type: 'string', value });
const expr = (terms: unknown, negated = false) => ({ terms, negated, index: 0 });
const answer = (queries: unknown, support?: unknown[]) => ({
  result: { queries, ...(support ? { support } : {}) },
});
const known = { type: 'Task' };

describe('parseResidual', () => {
  it('reads no queries as no row and an empty query as every row', () => {
    expect(parseResidual({}, known)).toEqual({ kind: 'never' });
    expect(parseResidual(answer([]), known)).toEqual({ kind: 'never' });
    expect(parseResidual(answer([[expr([op('eq'), str('t-1'), field('id')])], []]), known)).toEqual(
      {
        kind: 'always',
      },
    );
  });

  it('turns queries into an OR of ANDs, with the field on either side', () => {
    const filter = parseResidual(
      answer([
        [expr([op('eq'), str('t-2'), field('id')])],
        [
          expr([op('equal'), field('created_by'), str('carol')]),
          expr([op('eq'), field('status'), str('archived')], true),
        ],
      ]),
      known,
    );
    expect(filter).toEqual({
      kind: 'conditions',
      anyOf: [
        [{ field: 'id', operator: 'eq', value: 't-2' }],
        [
          { field: 'created_by', operator: 'eq', value: 'carol' },
          { field: 'status', operator: 'ne', value: 'archived' },
        ],
      ],
    });
  });

  it('flips ordering comparisons written literal-first, and negates them', () => {
    const filter = parseResidual(
      answer([
        [
          expr([op('lt'), { type: 'number', value: 3 }, field('priority')]),
          expr([op('gte'), field('size'), { type: 'number', value: 9 }], true),
        ],
      ]),
      known,
    );
    expect(filter).toEqual({
      kind: 'conditions',
      anyOf: [
        [
          { field: 'priority', operator: 'gt', value: 3 },
          { field: 'size', operator: 'lt', value: 9 },
        ],
      ],
    });
  });

  it('evaluates conditions on known fields and constant expressions', () => {
    const filter = parseResidual(
      answer([
        // `not true` is what OPA leaves for a veto that always holds: this query is dead.
        [
          expr([op('eq'), field('type'), str('Task')]),
          expr({ type: 'boolean', value: true }, true),
        ],
        [expr([op('eq'), field('type'), str('Project')]), expr([op('eq'), field('id'), str('p')])],
        [expr([op('eq'), str('Task'), field('type')]), expr([op('eq'), field('id'), str('t-9')])],
      ]),
      known,
    );
    expect(filter).toEqual({
      kind: 'conditions',
      anyOf: [[{ field: 'id', operator: 'eq', value: 't-9' }]],
    });
  });

  it('reads a bare reference to the whole resource as true: every row has one', () => {
    const resource = { type: 'ref', value: [{ type: 'var', value: 'input' }, str('resource')] };
    expect(parseResidual(answer([[expr(resource)]]), known)).toEqual({ kind: 'always' });
    expect(parseResidual(answer([[expr(resource, true)]]), known)).toEqual({ kind: 'never' });
  });

  it('reads membership in a literal set, and its negation', () => {
    const set = { type: 'set', value: [str('open'), { type: 'null', value: null }] };
    const filter = parseResidual(
      answer([
        [
          expr(
            [
              { type: 'ref', value: [{ type: 'var', value: 'internal' }, str('member_2')] },
              field('status'),
              set,
            ],
            true,
          ),
        ],
      ]),
      known,
    );
    expect(filter).toEqual({
      kind: 'conditions',
      anyOf: [[{ field: 'status', operator: 'nin', value: ['open', null] }]],
    });
  });

  it.each([
    ['support modules', answer([[]], [{ package: {} }])],
    ['a call it does not know', answer([[expr([op('startswith'), field('id'), str('t-')])]])],
    ['a comparison of two fields', answer([[expr([op('eq'), field('id'), field('created_by')])]])],
    [
      'a comparison with a non-literal',
      answer([[expr([op('eq'), field('id'), { type: 'var', value: 'x' }])]]),
    ],
    ['a bare field reference', answer([[expr(field('archived'))]])],
    [
      'a computed path',
      answer([
        [
          expr([
            op('eq'),
            {
              type: 'ref',
              value: [
                { type: 'var', value: 'input' },
                str('resource'),
                { type: 'var', value: 'k' },
              ],
            },
            str('x'),
          ]),
        ],
      ]),
    ],
    ['`with` modifiers', answer([[{ ...expr([op('eq'), field('id'), str('x')]), with: [{}] }]])],
    ['queries that are not arrays', answer('nope')],
  ])('refuses %s rather than widen the filter', (_label, response) => {
    expect(() => parseResidual(response, known)).toThrow(UnsupportedResidualError);
  });
});
