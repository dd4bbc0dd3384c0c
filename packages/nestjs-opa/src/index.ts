// The public API: what an application uses. Internals (input building, parsing, cache keys,
// resilience, the HTTP client, the audit observer) stay behind the module.

// Module, options and guard
export { OpaModule } from './opa.module.js';
export type * from './opa-module-options.interface.js';
export type { ResolvedOpaOptions } from './opa.options.js';
export { DECISION_ID_HEADER, OPA_MODULE_OPTIONS, OPA_RESOLVED_OPTIONS } from './opa.constants.js';
export * from './policy.guard.js';
export { defaultSubjectResolver } from './subject.resolver.js';
export { RouteAuditor, type AmbiguousRoute, type UnprotectedRoute } from './route.auditor.js';

// Decorators. The raw `AuthorizeRule` decorator stays internal: it bypasses `Authorize`'s checks.
export {
  Authorize,
  AuthorizeList,
  ResourceType,
  type AuthorizeOptions,
  type AuthorizeRule,
} from './authorize.decorator.js';
export * from './public.decorator.js';
export { Authorization } from './request-authorization.decorator.js';

// The application's side: its data and its loaders
export type * from './authz.types.js';
export * from './authz.repository.js';
export { AuthzGraphQLError, type AuthzErrorCode } from './contexts/index.js';
export * from './resource-loader.interface.js';

// Decisions and OPA calls
export * from './opa.service.js';
export * from './opa-admin.service.js';
export { DecisionService } from './decision.service.js';
export { DecisionCache } from './decision.cache.js';
export * from './filters/index.js';

// Pluggable parts: engines, transports, observers
export * from './engines/decision-engine.interface.js';
export { OpaServerEngine } from './engines/opa-server.engine.js';
export * from './transports/opa-transport.interface.js';
export type { OpaDeadline } from './opa.deadline.js';
export { UndiciTransport } from './transports/undici.transport.js';
export { WasmDecisionEngine } from './engines/wasm.engine.js';
export type * from './wasm/wasm-engine.options.js';
export { verifyBundle, type BundleVerificationKey } from './wasm/bundle.signature.js';
export * from './opa-observer.interface.js';

// Errors and HTTP answers
export * from './opa.errors.js';
export * from './opa.exceptions.js';
