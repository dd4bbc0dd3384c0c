import { UnsupportedResidualError } from '../opa.errors.js';
import { matchesCondition } from './filter.semantics.js';
import type { FieldCondition, FilterValue, ResourceFilter } from './filter.types.js';

/** A term of OPA's JSON-encoded Rego AST. */
interface Term {
  type: string;
  value: unknown;
}

interface Expression {
  terms: Term | Term[];
  negated?: boolean;
  with?: unknown[];
}

/** `true`, `false`, or one comparison left for the database. */
type Translated = boolean | FieldCondition;

const COMPARISONS: Record<string, FieldCondition['operator']> = {
  eq: 'eq',
  equal: 'eq',
  neq: 'ne',
  lt: 'lt',
  lte: 'lte',
  gt: 'gt',
  gte: 'gte',
};
const FLIPPED: Partial<Record<FieldCondition['operator'], FieldCondition['operator']>> = {
  lt: 'gt',
  lte: 'gte',
  gt: 'lt',
  gte: 'lte',
};
const NEGATED: Record<FieldCondition['operator'], FieldCondition['operator']> = {
  eq: 'ne',
  ne: 'eq',
  lt: 'gte',
  lte: 'gt',
  gt: 'lte',
  gte: 'lt',
  in: 'nin',
  nin: 'in',
};

function unsupported(what: string): never {
  throw new UnsupportedResidualError(`Cannot turn the policy's residual into a filter: ${what}`);
}

/**
 * Translates the answer of OPA's partial evaluation (`POST /v1/compile`, Rego AST) into a
 * {@link ResourceFilter}. The residual is an OR of queries, each an AND of expressions; every
 * expression must be a constant or a comparison of one `input.resource` field with literals.
 * `known` holds fields whose value is already known (the resource `type`), evaluated here.
 */
export function parseResidual(
  response: unknown,
  known: Record<string, FilterValue>,
): ResourceFilter {
  const result = (response as { result?: { queries?: unknown; support?: unknown[] } } | null)
    ?.result;
  if (result?.support && result.support.length > 0) unsupported('support modules');
  const queries = result?.queries;
  if (queries === undefined) return { kind: 'never' };
  if (!Array.isArray(queries)) unsupported('queries is not an array');

  const anyOf: FieldCondition[][] = [];
  for (const query of queries) {
    if (!Array.isArray(query)) unsupported('a query is not an array');
    const conditions = translateQuery(query as Expression[], known);
    if (conditions === false) continue;
    if (conditions.length === 0) return { kind: 'always' };
    anyOf.push(conditions);
  }
  return anyOf.length === 0 ? { kind: 'never' } : { kind: 'conditions', anyOf };
}

function translateQuery(
  query: Expression[],
  known: Record<string, FilterValue>,
): FieldCondition[] | false {
  const conditions: FieldCondition[] = [];
  for (const expression of query) {
    const translated = translateExpression(expression, known);
    if (translated === false) return false;
    if (translated !== true) conditions.push(translated);
  }
  return conditions;
}

function translateExpression(
  expression: Expression,
  known: Record<string, FilterValue>,
): Translated {
  if (expression.with && expression.with.length > 0) unsupported('`with` modifiers');
  const translated = translatePositive(expression.terms, known);
  if (!expression.negated) return translated;
  return typeof translated === 'boolean'
    ? !translated
    : { ...translated, operator: NEGATED[translated.operator] };
}

function translatePositive(terms: Term | Term[], known: Record<string, FilterValue>): Translated {
  if (!Array.isArray(terms)) {
    if (terms.type === 'boolean') return terms.value === true;
    // "the resource is defined": always true for a row (a rule that ignores its resource argument).
    if (isWholeResource(terms)) return true;
    return unsupported(`a bare ${terms.type} expression`);
  }
  const [operator, ...operands] = terms;
  const name = operatorName(operator);
  if (name === 'internal.member_2' && operands.length === 2) {
    return membership(operands[0]!, operands[1]!, known);
  }
  const comparison = name ? COMPARISONS[name] : undefined;
  if (!comparison || operands.length !== 2) return unsupported(`the call ${name ?? '?'}`);
  const [left, right] = operands as [Term, Term];
  const leftField = resourceField(left);
  const rightField = resourceField(right);
  if (leftField !== undefined && rightField === undefined) {
    return condition(leftField, comparison, literal(right), known);
  }
  if (rightField !== undefined && leftField === undefined) {
    return condition(rightField, FLIPPED[comparison] ?? comparison, literal(left), known);
  }
  return unsupported('a comparison that is not between one resource field and a literal');
}

function membership(
  element: Term,
  collection: Term,
  known: Record<string, FilterValue>,
): Translated {
  const field = resourceField(element);
  if (field === undefined || (collection.type !== 'set' && collection.type !== 'array')) {
    return unsupported('a membership test that is not "field in literal collection"');
  }
  const values = (collection.value as Term[]).map(literal);
  return condition(field, 'in', values, known);
}

function condition(
  field: string,
  operator: FieldCondition['operator'],
  value: FilterValue | FilterValue[],
  known: Record<string, FilterValue>,
): Translated {
  const result: FieldCondition = { field, operator, value };
  return Object.hasOwn(known, field) ? matchesCondition(result, known[field]!) : result;
}

function operatorName(term: Term | undefined): string | undefined {
  if (term?.type !== 'ref' || !Array.isArray(term.value)) return undefined;
  return (term.value as Term[]).map((part) => String(part.value)).join('.');
}

function isWholeResource(term: Term): boolean {
  if (term.type !== 'ref' || !Array.isArray(term.value) || term.value.length !== 2) return false;
  const [root, resource] = term.value as Term[];
  return root?.type === 'var' && root.value === 'input' && resource?.value === 'resource';
}

/** `input.resource.a.b` → `a.b`; anything else → undefined. */
function resourceField(term: Term): string | undefined {
  if (term.type !== 'ref' || !Array.isArray(term.value)) return undefined;
  const [root, resource, ...path] = term.value as Term[];
  if (root?.type !== 'var' || root.value !== 'input') return undefined;
  if (resource?.type !== 'string' || resource.value !== 'resource') return undefined;
  if (path.length === 0) unsupported('a condition on the whole resource');
  if (path.some((part) => part.type !== 'string')) unsupported('a computed field path');
  return path.map((part) => part.value as string).join('.');
}

function literal(term: Term): FilterValue {
  switch (term.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return term.value as FilterValue;
    case 'null':
      return null;
    default:
      return unsupported(`a ${term.type} literal`);
  }
}

/** Rego's ordering of JSON types, for comparisons between values of different types. */
