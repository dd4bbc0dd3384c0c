import { Injectable, Logger } from '@nestjs/common';
import type { BundleEvent, DecisionEvent, OpaObserver } from './opa-observer.js';

/**
 * Writes one structured line per decision through the Nest logger: who, what, on which resource,
 * the outcome, OPA's decision id and the latency. Nothing secret: no token, roles or attributes.
 */
@Injectable()
export class AuditLogObserver implements OpaObserver {
  private readonly logger = new Logger('OpaAudit');

  onDecision(event: DecisionEvent): void {
    const line = {
      event: 'authz.decision',
      subject: `${event.subject.type}:${event.subject.id}`,
      action: event.action,
      resource:
        event.resource.id === null
          ? event.resource.type
          : `${event.resource.type}:${event.resource.id}`,
      outcome: event.outcome,
      source: event.source,
      decisionId: event.decisionId,
      latencyMs: Math.round(event.latencyMs * 1000) / 1000,
      ...(event.errorKind ? { error: event.errorKind } : {}),
    };
    if (event.outcome === 'error') this.logger.warn(line);
    else this.logger.log(line);
  }

  /** The policy that decided changes here: the audit trail records which revision it was. */
  onBundle(event: BundleEvent): void {
    const line = { event: 'authz.bundle', ...event };
    if (event.outcome === 'rejected') this.logger.warn(line);
    else this.logger.log(line);
  }
}
