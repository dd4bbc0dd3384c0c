import { createTestApp, type TestApp } from './support/test-app.js';
import { parseMetrics, scrape, sumOf } from './support/metrics.js';

/**
 * `GET /metrics`: public, Prometheus text, with the decision metrics of OpaMetricsObserver. Other
 * app instances in this process share prom-client's default registry: every assertion is a delta.
 */
describe('GET /metrics', () => {
  let t: TestApp;
  const alice = { type: 'user', id: 'alice' } as const;
  const mallory = { type: 'user', id: 'mallory' } as const;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers without a token, in the Prometheus text format', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const names = new Set(parseMetrics(res.text).map((s) => s.name));
    // Node's process metrics (collectDefaultMetrics), for memory and event-loop dashboards.
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect(names).toContain('process_resident_memory_bytes');
    expect(res.text).toContain('# TYPE opa_decisions_total counter');
    expect(res.text).toContain('# TYPE opa_decision_duration_seconds histogram');
    expect(res.text).toContain('# TYPE opa_circuit_breaker_state gauge');
  });

  it('ignores a bearer token, even a bad one', async () => {
    await t.http().get('/metrics').set('Authorization', 'Bearer not-a-jwt').expect(200);
  });

  it('counts permits and denials by outcome, and their latency', async () => {
    const before = await scrape(t);
    expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
    expect((await t.as(mallory).get('/tasks/t-1')).status).toBe(403);
    expect((await t.as(mallory).get('/tasks/t-2')).status).toBe(403);
    const after = await scrape(t);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('opa_decisions_total', { outcome: 'permit' })).toBe(1);
    expect(delta('opa_decisions_total', { outcome: 'deny' })).toBe(2);
    expect(delta('opa_decisions_total', { outcome: 'error' })).toBe(0);
    expect(delta('opa_decision_duration_seconds_count')).toBe(3);
  });
});
