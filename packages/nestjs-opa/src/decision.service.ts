import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type {
  BulkVerdict,
  CheckManyRequest,
  CheckRequest,
  Decision,
  DecisionInput,
} from './authz.types.js';
import { buildDecisionInput } from './decision.input.js';
import { DecisionEngine, type DecisionNote } from './engines/decision-engine.interface.js';
import { OpaServerEngine, withDecisionId } from './engines/opa-server.engine.js';
import type { CompileFilterRequest, ResourceFilter } from './filters/filter.types.js';
import { OpaError } from './opa.errors.js';
import {
  OPA_OBSERVERS,
  type DecisionEvent,
  type DecisionKind,
  type OpaObserver,
} from './opa-observer.interface.js';

/** What one decision is about, as observers and spans see it. */
interface DecisionTopic {
  kind: DecisionKind;
  action: string;
  resource: { type: string; id: string | null };
}

/**
 * Where every decision goes through, whatever asked (guard, `OpaService`, your code) and whatever
 * answers (the {@link DecisionEngine}): it builds the input, asks the engine, and is the one
 * place that opens the span and tells the observers (metrics, audit line), for point, bulk and
 * filter decisions alike. Every failure to get an answer throws; nothing here guesses an allow.
 */
@Injectable()
export class DecisionService {
  private readonly tracer = trace.getTracer('nestjs-opa');
  private readonly filterEngine: Required<Pick<DecisionEngine, 'compileFilter'>>;

  constructor(
    @Inject(DecisionEngine) private readonly engine: DecisionEngine,
    serverEngine: OpaServerEngine,
    @Inject(OPA_OBSERVERS) private readonly observers: OpaObserver[],
  ) {
    // An engine that cannot compile filters (in-process Wasm) leaves them to the OPA server.
    this.filterEngine = hasFilters(engine) ? engine : serverEngine;
  }

  /** One action on one resource, through the engine's `decision` rule. */
  async check(request: CheckRequest): Promise<Decision> {
    const input = buildDecisionInput(request);
    const about = { kind: 'point' as const, action: input.action, resource: input.resource };
    return this.observe(input, about, 'opa.decision', (note) =>
      this.engine.decide(input, note).then(withDecisionId),
    );
  }

  /**
   * Many actions on many resources for one subject. A missing or malformed verdict is a denial
   * for that item; a failed call fails the whole batch. Each item is one audited decision.
   */
  async checkMany(request: CheckManyRequest): Promise<BulkVerdict[]> {
    const started = performance.now();
    const note: DecisionNote = { source: 'opa' };
    const subject = { type: request.subject.type, id: request.subject.id };
    const span = this.tracer.startSpan('opa.decisions', {
      attributes: { 'authz.items': request.items.length },
    });
    try {
      const { permits, decisionIds = [] } = await this.engine.decideMany(request, note);
      const batchId = randomUUID();
      const verdicts = request.items.map(({ action, resource }, index) => ({
        action,
        resource,
        permit: permits[index] === true,
        decisionId: decisionIds[index] ?? batchId,
      }));
      span.setAttributes({
        'authz.decision_id': decisionIds.find(Boolean) ?? batchId,
        'authz.source': note.source,
      });
      const latencyMs = performance.now() - started;
      for (const { action, resource, permit, decisionId } of verdicts)
        this.emit(() => ({
          kind: 'bulk',
          subject,
          action,
          resource: { type: resource.type, id: resource.id ?? null },
          outcome: permit ? 'permit' : 'deny',
          source: note.source,
          decisionId,
          latencyMs,
        }));
      return verdicts;
    } catch (error) {
      failed(span, error);
      this.emit(() => ({
        kind: 'bulk',
        subject,
        action: [...new Set(request.items.map((item) => item.action))].join(','),
        resource: { type: request.items[0]?.resource.type ?? '', id: null },
        outcome: 'error',
        source: note.source,
        latencyMs: performance.now() - started,
        ...errorFields(error),
      }));
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * The rows of a resource type the subject may act on, compiled from the policy. A residual
   * that cannot be represented exactly throws `UnsupportedResidualError`: never a wider filter.
   */
  async compileFilter(request: CompileFilterRequest): Promise<ResourceFilter> {
    const { resourceType, ...rest } = request;
    const input = buildDecisionInput({ ...rest, resource: { type: resourceType } });
    const about = { kind: 'filter' as const, action: input.action, resource: input.resource };
    return this.observe(input, about, 'opa.filter', (note) =>
      this.filterEngine.compileFilter(input, note),
    );
  }

  /** Runs one engine call in a span, then tells the observers how it went. */
  private async observe<T extends { decisionId?: string; permit?: boolean; kind?: string }>(
    input: DecisionInput,
    about: DecisionTopic,
    spanName: string,
    ask: (note: DecisionNote) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const note: DecisionNote = { source: 'opa' };
    const event = (outcome: DecisionEvent['outcome']): DecisionEvent => ({
      kind: about.kind,
      subject: { type: input.subject.type, id: input.subject.id },
      action: about.action,
      resource: { type: about.resource.type, id: about.resource.id },
      outcome,
      source: note.source,
      latencyMs: performance.now() - started,
      ...(note.cache ? { cache: note.cache } : {}),
    });
    const span = this.tracer.startSpan(spanName, {
      attributes: { 'authz.action': about.action, 'authz.resource.type': about.resource.type },
    });
    try {
      // The span is made current only when it records: without a tracing SDK, entering a context
      // per decision is cost for nothing.
      const answer = await (span.isRecording()
        ? context.with(trace.setSpan(context.active(), span), () => ask(note))
        : ask(note));
      // A filter permits unless it lets no row through.
      const permit = answer.permit ?? answer.kind !== 'never';
      const decisionId = answer.decisionId ?? randomUUID();
      span.setAttributes({
        'authz.outcome': permit ? 'permit' : 'deny',
        'authz.decision_id': decisionId,
        'authz.source': note.source,
      });
      this.emit(() => ({
        ...event(permit ? 'permit' : 'deny'),
        decisionId,
        ...(about.kind === 'filter' ? { filter: answer.kind as ResourceFilter['kind'] } : {}),
      }));
      return answer;
    } catch (error) {
      failed(span, error);
      this.emit(() => ({ ...event('error'), ...errorFields(error) }));
      throw error;
    } finally {
      span.end();
    }
  }

  /** Tells the observers; the event is only built when someone listens. */
  private emit(build: () => DecisionEvent): void {
    if (this.observers.length === 0) return;
    const event = build();
    for (const observer of this.observers) {
      try {
        observer.onDecision?.(event);
      } catch {
        // An observer must never change a decision.
      }
    }
  }
}

function hasFilters(
  engine: DecisionEngine,
): engine is DecisionEngine & Required<Pick<DecisionEngine, 'compileFilter'>> {
  return typeof engine.compileFilter === 'function';
}

function failed(span: Span, error: unknown): void {
  span.setAttribute('authz.outcome', 'error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorKind(error) });
}

function errorFields(error: unknown): Pick<DecisionEvent, 'errorKind' | 'decisionId'> {
  return {
    errorKind: errorKind(error),
    ...(error instanceof OpaError && error.decisionId ? { decisionId: error.decisionId } : {}),
  };
}

function errorKind(error: unknown): string {
  return error instanceof OpaError ? error.name : 'Error';
}
