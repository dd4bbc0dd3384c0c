import type { ResourceRef } from '../authz.types.js';
import type { CompileFilterRequest, ResourceFilter } from '../filters/filter.types.js';
import { matchesFilter } from '../filters/filter.semantics.js';
import type { OpaService } from '../opa.service.js';

/** What {@link checkFilterConsistency} compares. */
export interface FilterConsistencyInput<Row> {
  opa: OpaService;
  /** The list request: subject, action, resource type, roles and bindings. */
  request: CompileFilterRequest;
  /** Every candidate row. */
  rows: Row[];
  /** A row's identity, used in the report. */
  key: (row: Row) => string;
  /** The row as the guard would send it to OPA (id and attributes). */
  toResource: (row: Row) => Omit<ResourceRef, 'type'>;
  /**
   * Runs the filter where it really runs (your database query) and returns the rows it keeps.
   * Defaults to evaluating it in memory on `toResource(row)`.
   */
  applyFilter?: (filter: ResourceFilter) => Promise<Row[]>;
}

/** The outcome of a consistency check; `consistent` when `missing` and `extra` are empty. */
export interface FilterConsistencyReport {
  filter: ResourceFilter;
  consistent: boolean;
  /** Rows point checks permit that the filter dropped. */
  missing: string[];
  /** Rows the filter kept that point checks deny: a filter wider than the policy. */
  extra: string[];
}

/**
 * Compiles the filter for a list request and compares the rows it keeps with the rows point
 * checks (`OpaService.check`, one per row) permit. Run it in your own tests, on your own data.
 *
 * @example
 * ```ts
 * const report = await checkFilterConsistency({
 *   opa, request: { subject, action: 'task:read', resourceType: 'Task', roles, bindings },
 *   rows: await tasks.find(), key: (t) => t.id,
 *   toResource: (t) => ({ id: t.id, attributes: { created_by: t.createdBy, status: t.status } }),
 *   applyFilter: (filter) => applyResourceFilter(tasks.createQueryBuilder('task'), filter).getMany(),
 * });
 * expect(report).toMatchObject({ consistent: true });
 * ```
 */
export async function checkFilterConsistency<Row>(
  input: FilterConsistencyInput<Row>,
): Promise<FilterConsistencyReport> {
  const { opa, request, rows, key, toResource } = input;
  const filter = await opa.compileFilter(request);
  const kept = input.applyFilter
    ? await input.applyFilter(filter)
    : rows.filter((row) => {
        const resource = toResource(row);
        return matchesFilter(filter, { ...resource.attributes, id: resource.id ?? null });
      });

  const permitted = new Set<string>();
  for (const row of rows) {
    const decision = await opa.check({
      subject: request.subject,
      action: request.action,
      resource: { ...toResource(row), type: request.resourceType },
      roles: request.roles,
      bindings: request.bindings,
    });
    if (decision.permit) permitted.add(key(row));
  }
  const keptKeys = new Set(kept.map(key));
  const missing = [...permitted].filter((k) => !keptKeys.has(k)).sort();
  const extra = [...keptKeys].filter((k) => !permitted.has(k)).sort();
  return { filter, consistent: missing.length === 0 && extra.length === 0, missing, extra };
}

/** {@link checkFilterConsistency}, throwing a readable error when the two disagree. */
export async function assertFilterConsistency<Row>(
  input: FilterConsistencyInput<Row>,
): Promise<void> {
  const report = await checkFilterConsistency(input);
  if (!report.consistent) {
    throw new Error(
      `Filter and point checks disagree for ${input.request.subject.type}:${input.request.subject.id} ` +
        `${input.request.action}: missing [${report.missing.join(', ')}], extra [${report.extra.join(', ')}]; ` +
        `filter ${JSON.stringify(report.filter)}`,
    );
  }
}
