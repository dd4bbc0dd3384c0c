import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { DecisionInput } from './authz.types.js';
import { buildDecisionInput } from './decision.input.js';
import { decisionKey, subjectPrefix } from './decision.key.js';

const id = fc.oneof(
  fc.constantFrom('alice', 'bob', 't-1', 't-2', '', '"', '|', '["user","x"]|'),
  fc.string(),
);
const scalar = fc.oneof(id, fc.integer(), fc.boolean(), fc.constant(null));
const attributes = fc.dictionary(
  fc.constantFrom('created_by', 'status', 'banned', 'type', 'id', 'x'),
  scalar,
  {
    maxKeys: 3,
  },
);
const subjectRef = fc.record({ type: fc.constantFrom('user', 'token'), id });
const scope = fc.oneof(
  fc.constant(null),
  fc.record({ type: fc.constantFrom('Task', 'Project') }),
  fc.record({ type: fc.constantFrom('Task', 'Project'), id }),
);

/** Decision inputs as the guard builds them, over small alphabets so near-collisions are common. */
const input: fc.Arbitrary<DecisionInput> = fc
  .record({
    subject: fc.record({ type: fc.constantFrom('user', 'token'), id, attributes }),
    action: fc.constantFrom('task:read', 'task:update', 'task:delete', 'task:*', '*'),
    resource: fc.record({
      type: fc.constantFrom('Task', 'Project'),
      id: fc.option(id),
      attributes,
    }),
    roles: fc.dictionary(
      fc.constantFrom('viewer', 'editor', 'admin'),
      fc.record({
        permissions: fc.array(fc.constantFrom('task:read', 'task:*', '*'), { maxLength: 3 }),
      }),
      { maxKeys: 3 },
    ),
    bindings: fc.array(
      fc.record({ subject: subjectRef, role: fc.constantFrom('viewer', 'editor'), scope }),
      {
        maxLength: 3,
      },
    ),
  })
  .map((request) => buildDecisionInput(request));

describe('decisionKey', () => {
  it('never gives two different inputs the same key', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        const sameDocument = isDeepStrictEqual(
          JSON.parse(JSON.stringify(a)),
          JSON.parse(JSON.stringify(b)),
        );
        if (decisionKey(a) === decisionKey(b)) expect(sameDocument).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same key to inputs OPA would receive byte for byte the same', () => {
    fc.assert(
      fc.property(input, (a) => {
        expect(decisionKey(structuredClone(a))).toBe(decisionKey(a));
      }),
    );
  });

  it('changes when any single field of the input changes', () => {
    fc.assert(
      fc.property(
        input,
        scalar,
        fc.constantFrom('subject', 'action', 'resource', 'roles', 'bindings'),
        (a, value, part) => {
          const changed = structuredClone(a) as unknown as Record<string, unknown>;
          changed[part] = { changed: value, was: changed[part] };
          expect(decisionKey(changed as unknown as DecisionInput)).not.toBe(decisionKey(a));
        },
      ),
    );
  });

  it('tells apart inputs that differ only in a nested attribute', () => {
    const a = buildDecisionInput({
      subject: { type: 'user', id: 'carol', attributes: { banned: false } },
      action: 'task:read',
      resource: { type: 'Task', id: 't-1' },
      roles: {},
      bindings: [],
    });
    const b = structuredClone(a);
    b.subject.attributes.banned = true;
    expect(decisionKey(a)).not.toBe(decisionKey(b));
  });

  it('prefixes keys by subject without ambiguity', () => {
    fc.assert(
      fc.property(subjectRef, subjectRef, (a, b) => {
        const sameSubject = a.type === b.type && a.id === b.id;
        const prefixed =
          subjectPrefix(a).startsWith(subjectPrefix(b)) ||
          subjectPrefix(b).startsWith(subjectPrefix(a));
        expect(prefixed).toBe(sameSubject);
      }),
    );
  });
});
