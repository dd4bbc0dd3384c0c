import { expect } from '@jest/globals';
import type { CheckRequest, Decision } from '../../src/index.js';

/** The OPA token the audit tests configure: it must never reach a log line. */
export const auditToken = 'super-secret-token';

/**
 * carol reads t-2 as a global viewer (permitted), carrying what an audit line must not show:
 * her email, a resource attribute, the role catalogue.
 */
export const carolReadsT2: CheckRequest = {
  subject: { type: 'user', id: 'carol', attributes: { banned: false, email: 'carol@example.com' } },
  action: 'task:read',
  resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', secret: 'rs-77f1' } },
  roles: { viewer: { permissions: ['task:read'] } },
  bindings: [{ subject: { type: 'user', id: 'carol' }, role: 'viewer', scope: null }],
};

/** What no log line may contain while deciding `carolReadsT2`. */
export const auditSecrets = [auditToken, 'carol@example.com', 'rs-77f1', 'viewer'];

/** The audit record of `carolReadsT2` answered by an OPA server. */
export const carolReadsT2Audit = (decision: Decision) => ({
  event: 'authz.decision',
  subject: 'user:carol',
  action: 'task:read',
  resource: 'Task:t-2',
  outcome: 'permit',
  source: 'opa',
  decisionId: decision.decisionId,
  latencyMs: expect.any(Number),
});
