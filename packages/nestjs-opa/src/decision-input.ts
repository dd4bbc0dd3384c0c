import type { CheckRequest, DecisionInput, ResourceRef, Subject } from './authz.types.js';

/**
 * Builds the `input` document for a decision. The single place that shapes it, so point checks,
 * bulk checks and filters can never disagree about what OPA sees.
 */
export function buildDecisionInput(request: CheckRequest): DecisionInput {
  const { subject, action, resource, roles, bindings } = request;
  return {
    subject: subjectInput(subject),
    action,
    resource: resourceInput(resource),
    roles,
    bindings,
  };
}

export function subjectInput(subject: Subject): DecisionInput['subject'] {
  return { type: subject.type, id: subject.id, attributes: { ...subject.attributes } };
}

export function resourceInput(resource: ResourceRef): DecisionInput['resource'] {
  // `type` and `id` are spread last so an attribute can never shadow them.
  return { ...resource.attributes, type: resource.type, id: resource.id ?? null };
}
