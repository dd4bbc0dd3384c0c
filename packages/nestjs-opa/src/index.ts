export { Authorization } from './request-authorization.decorator.js';
// The raw `AuthorizeRule` decorator stays internal: it would bypass `Authorize`'s action checks.
export {
  Authorize,
  AuthorizeList,
  ResourceType,
  type AuthorizeOptions,
  type AuthorizeRule,
} from './authorize.decorator.js';
export * from './authz.repository.js';
export type * from './authz.types.js';
export { buildDecisionInput } from './decision-input.js';
export { parseDecision } from './decision-parser.js';
export { DECISION_ID_HEADER, OPA_MODULE_OPTIONS, OPA_RESOLVED_OPTIONS } from './opa.constants.js';
export type { ResolvedOpaOptions } from './opa-options.js';
export * from './opa.errors.js';
export * from './opa.exceptions.js';
export { OpaModule } from './opa.module.js';
export type * from './opa-module-options.interface.js';
export * from './opa.service.js';
export * from './opa-admin.service.js';
export { DecisionService } from './decision.service.js';
export * from './engines/decision-engine.interface.js';
export { OpaServerEngine } from './engines/opa-server.engine.js';
export { toDataPath } from './opa-http.client.js';
export * from './policy.guard.js';
export * from './public.decorator.js';
export * from './resource-loader.js';
export { RouteAuditor, type AmbiguousRoute, type UnprotectedRoute } from './route-auditor.js';
export { defaultSubjectResolver } from './subject-resolver.js';
export * from './transports/opa-transport.interface.js';
export { UndiciTransport } from './transports/undici.transport.js';
export * from './filters/index.js';
export { AuditLogObserver } from './audit-log.observer.js';
export { DecisionCache } from './decision-cache.js';
export { decisionKey } from './decision-key.js';
export * from './opa-observer.js';
export { OpaResilience } from './opa-resilience.js';
