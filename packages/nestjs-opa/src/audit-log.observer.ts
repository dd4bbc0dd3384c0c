import { inspect } from 'node:util';
import { Injectable, Logger } from '@nestjs/common';
import type { BundleEvent, DecisionEvent, OpaObserver } from './opa-observer.interface.js';

/**
 * The audit line's fields, as own enumerable properties: JSON loggers (`ConsoleLogger` with
 * `json: true`, pino) write them as a structured object. Nest's default `ConsoleLogger` would
 * pretty-print a plain object across ten lines; it prints this one through `inspect.custom` as one
 * line of JSON, whatever the application's logger options, with nothing for the user to configure.
 */
class AuditLine {
  constructor(fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** For loggers that turn their message into a string. */
  toString(): string {
    return JSON.stringify(this);
  }
}

/**
 * Writes one structured line per decision through the Nest logger: who, what, on which resource,
 * the outcome, the decision id (OPA's, or the one the library minted) and the latency. Nothing
 * secret: no token, roles, bindings or attributes.
 */
@Injectable()
export class AuditLogObserver implements OpaObserver {
  private readonly logger = new Logger('OpaAudit');

  onDecision(event: DecisionEvent): void {
    const line = new AuditLine({
      event: 'authz.decision',
      kind: event.kind,
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
      ...(event.filter ? { filter: event.filter } : {}),
      ...(event.errorKind ? { error: event.errorKind } : {}),
    });
    if (event.outcome === 'error') this.logger.warn(line);
    else this.logger.log(line);
  }

  /** The policy that decided changes here: the audit trail records which revision it was. */
  onBundle(event: BundleEvent): void {
    const line = { event: 'authz.bundle', ...event };
    if (event.outcome !== 'activated') this.logger.warn(line);
    else this.logger.log(line);
  }
}
