import { readAppConfig } from '../src/config/app.config.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { parseMetrics, scrape, sumOf } from './support/metrics.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * `GET /metrics`: anonymous Prometheus text with the decision metrics of OpaMetricsObserver, served
 * on its own port (METRICS_PORT), never on the app's public one. Other app instances in this
 * process share prom-client's default registry: every count is a delta.
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

  describe('on the metrics port', () => {
    it('answers without a token, in the Prometheus text format', async () => {
      const res = await t.metricsHttp().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.headers['cache-control']).toBe('no-store');
      const names = new Set(parseMetrics(res.text).map((s) => s.name));
      // Node's process metrics (collectDefaultMetrics), for memory and event-loop dashboards.
      expect(names).toContain('nodejs_heap_size_used_bytes');
      expect(names).toContain('process_resident_memory_bytes');
      expect(res.text).toContain('# TYPE opa_decisions_total counter');
      expect(res.text).toContain('# TYPE opa_decision_duration_seconds histogram');
      expect(res.text).toContain('# TYPE opa_circuit_breaker_state gauge');
    });

    it('ignores a bearer token, even a bad one', async () => {
      await t.metricsHttp().get('/metrics').set('Authorization', 'Bearer not-a-jwt').expect(200);
    });

    it('serves nothing else: no API route, no other path, no other method', async () => {
      await t.metricsHttp().get('/tasks').expect(404);
      await t.metricsHttp().get('/health').expect(404);
      await t.metricsHttp().get('/metrics/../tasks').expect(404);
      const post = await t.metricsHttp().post('/metrics').expect(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    });

    it('listens on loopback by default', () => {
      expect(new URL(t.app.get(MetricsServer).url!).hostname).toBe('127.0.0.1');
      expect(readAppConfig({}).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
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

  describe('on the app port', () => {
    it('is 404, with or without a token', async () => {
      const anonymous = await t.http().get('/metrics');
      const signedIn = await t.as(alice).get('/metrics');
      for (const res of [anonymous, signedIn]) {
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('opa_decisions_total');
      }
    });
  });

  it('refuses a metrics port equal to the app port, or not a port', () => {
    expect(() => readAppConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      /^METRICS_PORT must differ from PORT/,
    );
    expect(() => readAppConfig({ METRICS_PORT: '3000' })).toThrow(/^METRICS_PORT must differ/);
    expect(() => readAppConfig({ METRICS_PORT: 'nine' })).toThrow(
      'METRICS_PORT must be a port number, got "nine"',
    );
  });
});
