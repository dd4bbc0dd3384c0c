/** Injection token of the options as the application passed them (see `OPA_RESOLVED_OPTIONS`). */
export const OPA_MODULE_OPTIONS = Symbol('OPA_MODULE_OPTIONS');
/** Injection token of the options with every default applied, built once by the module. */
export const OPA_RESOLVED_OPTIONS = Symbol('OPA_RESOLVED_OPTIONS');

/** Response header carrying OPA's decision id, so a user's report can be traced to OPA's logs. */
export const DECISION_ID_HEADER = 'x-authz-decision-id';
