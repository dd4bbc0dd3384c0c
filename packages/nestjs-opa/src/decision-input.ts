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
  const { type, attributes } = resource;
  const id = resource.id ?? null;
  // Spreading the attributes last keeps V8 on its fast path (properties added after a spread
  // cost about a microsecond); `type` and `id` are then set again so no attribute shadows them.
  const input: DecisionInput['resource'] = { type, id, ...attributes };
  if (attributes && (Object.hasOwn(attributes, 'type') || Object.hasOwn(attributes, 'id'))) {
    input.type = type;
    input.id = id;
  }
  return input;
}
