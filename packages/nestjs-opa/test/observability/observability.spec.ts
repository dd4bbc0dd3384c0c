import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { register } from 'prom-client';
import { type OpaModuleOptions } from '../../src/index.js';
import { OpaMetricsObserver } from '../../src/prometheus/index.js';
import { freePort } from '../../../../scripts/opa-server.mjs';
import { CapturingLogger } from '../support/capturing-logger.js';
import {
  auditSecrets,
  auditToken,
  carolReadsT2,
  carolReadsT2Audit,
} from '../support/audited-check.js';
import { createOpaTesting } from '../support/opa-testing.js';

const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
);

const logger = new CapturingLogger();

async function create(url: string, options: Partial<OpaModuleOptions> = {}) {
  const { opa } = await createOpaTesting({
    url,
    token: auditToken,
    cache: { ttl: 60_000 },
    observers: [OpaMetricsObserver],
    logger,
    ...options,
  });
  return opa;
}

describe('Observability of decisions against OPA', () => {
  beforeEach(() => {
    register.resetMetrics();
    spans.reset();
    logger.lines = [];
  });

  it('counts decisions, cache hits and latency in Prometheus metrics', async () => {
    const opa = await create(process.env.OPA_URL!);
    await opa.check(carolReadsT2);
    await opa.check(carolReadsT2);
    await opa.check({ ...carolReadsT2, action: 'task:delete' });
    const metrics = await register.metrics();
    expect(metrics).toContain('opa_decisions_total{outcome="permit"} 2');
    expect(metrics).toContain('opa_decisions_total{outcome="deny"} 1');
    expect(metrics).toContain('opa_decision_cache_total{result="hit"} 1');
    expect(metrics).toContain('opa_decision_cache_total{result="miss"} 2');
    expect(metrics).toMatch(
      /opa_decision_duration_seconds_count\{outcome="permit",source="opa"\} 1/,
    );
  });

  it('counts errors by kind and reports the open breaker', async () => {
    const opa = await create(`http://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 6; i++)
      await opa.check({ ...carolReadsT2, action: `task:${i}` }).catch(() => undefined);
    const metrics = await register.metrics();
    expect(metrics).toContain('opa_decision_errors_total{kind="OpaUnavailableError"} 5');
    expect(metrics).toContain('opa_decision_errors_total{kind="OpaCircuitOpenError"} 1');
    expect(metrics).toContain('opa_circuit_breaker_state 2');
  });

  it('counts shed decisions as OpaOverloadedError, with the breaker closed', async () => {
    const opa = await create(process.env.OPA_URL!, {
      bulkhead: { maxConcurrent: 1, maxQueued: 0 },
    });
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => opa.check({ ...carolReadsT2, action: `task:overload-${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const metrics = await register.metrics();
    expect(metrics).toContain('opa_decision_errors_total{kind="OpaOverloadedError"} 2');
    expect(metrics).toContain('opa_decisions_total{outcome="error"} 2');
    expect(metrics).not.toContain('opa_circuit_breaker_state 2');
  });

  it('wraps each OPA call in a span carrying the outcome and decision id', async () => {
    const opa = await create(process.env.OPA_URL!);
    const decision = await opa.check({
      ...carolReadsT2,
      subject: { type: 'user', id: 'span-test' },
    });
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('opa.decision');
    expect(span?.attributes).toMatchObject({
      'authz.action': 'task:read',
      'authz.resource.type': 'Task',
      'authz.outcome': 'deny',
      'authz.decision_id': decision.decisionId,
    });
  });

  it('writes one audit line per decision, with nothing secret in it', async () => {
    const opa = await create(process.env.OPA_URL!);
    const decision = await opa.check(carolReadsT2);
    const audit = logger.lines.filter((l) => l.context === 'OpaAudit');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.message).toMatchObject(carolReadsT2Audit(decision));
    const text = JSON.stringify(logger.lines);
    for (const secret of auditSecrets) expect(text).not.toContain(secret);
  });

  it('audits every item of a bulk check, in one span', async () => {
    const opa = await create(process.env.OPA_URL!);
    const verdicts = await opa.checkMany({
      ...carolReadsT2,
      items: [
        { action: 'task:read', resource: { type: 'Task', id: 't-1' } },
        { action: 'task:delete', resource: { type: 'Task', id: 't-1' } },
      ],
    });
    expect(verdicts.map((verdict) => verdict.permit)).toEqual([true, false]);
    const audit = logger.messages('OpaAudit');
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'bulk',
        action: 'task:read',
        resource: 'Task:t-1',
        outcome: 'permit',
      }),
      expect.objectContaining({
        kind: 'bulk',
        action: 'task:delete',
        resource: 'Task:t-1',
        outcome: 'deny',
      }),
    ]);
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['opa.decisions']);
    const metrics = await register.metrics();
    expect(metrics).toContain('opa_decisions_total{outcome="deny"} 1');
    const text = JSON.stringify(logger.lines);
    for (const secret of auditSecrets) expect(text).not.toContain(secret);
  });

  it('audits a list filter like a decision: who, what, which type, what it lets through', async () => {
    const opa = await create(process.env.OPA_URL!);
    const filter = await opa.compileFilter({
      subject: carolReadsT2.subject,
      action: 'task:read',
      resourceType: 'Task',
      roles: carolReadsT2.roles,
      bindings: carolReadsT2.bindings,
    });
    expect(filter).toEqual({ kind: 'always' });
    expect(logger.messages('OpaAudit')).toEqual([
      expect.objectContaining({
        event: 'authz.decision',
        kind: 'filter',
        subject: 'user:carol',
        action: 'task:read',
        resource: 'Task',
        outcome: 'permit',
        filter: 'always',
        decisionId: expect.any(String),
      }),
    ]);
    expect(spans.getFinishedSpans()[0]).toMatchObject({
      name: 'opa.filter',
      attributes: { 'authz.outcome': 'permit', 'authz.resource.type': 'Task' },
    });
  });
});
