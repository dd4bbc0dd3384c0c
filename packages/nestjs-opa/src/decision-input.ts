import type { CheckRequest, DecisionInput } from './authz.types.js';

/**
 * Builds the `input` document for a decision. The single place that shapes it, so point checks,
 * bulk checks and filters can never disagree about what OPA sees.
 */
export function buildDecisionInput(request: CheckRequest): DecisionInput {
  const { subject, action, resource, roles, bindings } = request;
  return {
    subject: { type: subject.type, id: subject.id, attributes: { ...subject.attributes } },
    action,
    // `type` and `id` are spread last so an attribute can never shadow them.
    resource: { ...resource.attributes, type: resource.type, id: resource.id ?? null },
    roles,
    bindings,
  };
}
