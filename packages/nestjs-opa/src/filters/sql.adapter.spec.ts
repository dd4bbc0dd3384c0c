import type { ResourceFilter } from './filter.types.js';
import { matchesFilter } from './filter.semantics.js';
import { toSqlFilter } from './sql.adapter.js';

const filter: ResourceFilter = {
  kind: 'conditions',
  anyOf: [
    [{ field: 'id', operator: 'eq', value: 't-2' }],
    [
      { field: 'created_by', operator: 'eq', value: "o'brien" },
      { field: 'status', operator: 'ne', value: 'archived' },
    ],
  ],
};
const columns = { id: 'id', created_by: 't.created_by', status: 'status' };

describe('toSqlFilter', () => {
  it('binds every value and quotes identifiers (postgres)', () => {
    expect(toSqlFilter(filter, { dialect: 'postgres', columns })).toEqual({
      text: '("id" = $1) OR ("t"."created_by" = $2 AND ("status" <> $3 OR "status" IS NULL))',
      params: ['t-2', "o'brien", 'archived'],
    });
  });

  it('uses ? placeholders and backticks for mysql, continuing nothing', () => {
    const { text, params } = toSqlFilter(filter, { dialect: 'mysql', columns });
    expect(text).toBe(
      '(`id` = ?) OR (`t`.`created_by` = ? AND (`status` <> ? OR `status` IS NULL))',
    );
    expect(params).toHaveLength(3);
  });

  it('numbers postgres placeholders from firstParam', () => {
    expect(toSqlFilter(filter, { dialect: 'postgres', columns, firstParam: 4 }).text).toContain(
      '$6',
    );
  });

  it('refuses a firstParam that is not a placeholder number', () => {
    for (const firstParam of [0, -1, 1.5, Number.NaN]) {
      expect(() => toSqlFilter(filter, { dialect: 'postgres', columns, firstParam })).toThrow(
        /firstParam must be a positive integer/,
      );
    }
  });

  it('renders always and never as constants', () => {
    expect(toSqlFilter({ kind: 'always' }, { dialect: 'sqlite', columns })).toEqual({
      text: '1 = 1',
      params: [],
    });
    expect(toSqlFilter({ kind: 'never' }, { dialect: 'sqlite', columns })).toEqual({
      text: '1 = 0',
      params: [],
    });
  });

  it('refuses a field without a column instead of dropping the condition', () => {
    expect(() => toSqlFilter(filter, { dialect: 'postgres', columns: { id: 'id' } })).toThrow(
      /created_by/,
    );
  });

  it('escapes quote characters inside identifiers', () => {
    const { text } = toSqlFilter(
      { kind: 'conditions', anyOf: [[{ field: 'id', operator: 'eq', value: 1 }]] },
      {
        dialect: 'postgres',
        columns: { id: 'we"ird' },
      },
    );
    expect(text).toBe('("we""ird" = $1)');
  });

  it.each([
    [{ field: 'status', operator: 'eq', value: null }, '"status" IS NULL'],
    [{ field: 'status', operator: 'ne', value: null }, '"status" IS NOT NULL'],
    [
      { field: 'status', operator: 'in', value: ['a', null] },
      '("status" IN ($1) OR "status" IS NULL)',
    ],
    [
      { field: 'status', operator: 'nin', value: ['a'] },
      '("status" NOT IN ($1) OR "status" IS NULL)',
    ],
    [
      { field: 'status', operator: 'nin', value: ['a', null] },
      '("status" NOT IN ($1) AND "status" IS NOT NULL)',
    ],
    [{ field: 'status', operator: 'in', value: [] }, '1 = 0'],
  ] as const)('handles NULL like Rego: %j', (condition, text) => {
    expect(
      toSqlFilter(
        { kind: 'conditions', anyOf: [[condition as never]] },
        { dialect: 'postgres', columns },
      ).text,
    ).toBe(`(${text})`);
  });
});

describe('matchesFilter', () => {
  it('treats a missing or null field as null', () => {
    expect(matchesFilter(filter, { id: 't-9', created_by: "o'brien" })).toBe(true);
    expect(matchesFilter(filter, { id: 't-9', created_by: "o'brien", status: 'archived' })).toBe(
      false,
    );
    expect(matchesFilter(filter, { id: 't-2' })).toBe(true);
  });
});
