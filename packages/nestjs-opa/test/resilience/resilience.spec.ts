import { jest } from '@jest/globals';
import {
  DecisionCache,
  OpaCircuitOpenError,
  OpaTimeoutError,
  type OpaModuleOptions,
} from '../../src/index.js';
import { fakeDateOnly } from '../support/fake-date.js';
import { FaultServer, faults } from '../support/fault-server.js';
import { createOpaTesting } from '../support/opa-testing.js';
import { permitBody, readTask, RecordingObserver } from '../support/recording-observer.js';

const denyBody = '{"result":{"permit":false,"allow":false,"deny":false}}';

const request = (id = 'alice', resourceId = 't-1') => readTask(id, resourceId);

describe('Resilience, coalescing and cache (against a scripted OPA on 127.0.0.1)', () => {
  const server = new FaultServer();
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    url = await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    requests = 0;
    RecordingObserver.events = [];
    RecordingObserver.states = [];
  });

  const serve = (body: string | (() => string), delayMs = 0) => {
    server.handler = (_req, res) => {
      requests++;
      setTimeout(() => res.end(typeof body === 'function' ? body() : body), delayMs);
    };
  };

  async function create(options: Partial<OpaModuleOptions> = {}) {
    const { moduleRef, opa } = await createOpaTesting({
      url,
      // A deadline no loaded CI box meets by accident; the deadline's own test sets a short one.
      timeout: 5_000,
      auditLog: false,
      observers: [RecordingObserver],
      ...options,
    });
    return { opa, cache: moduleRef.get(DecisionCache) };
  }

  it('fails a slow decision at the deadline, long before OPA answers', async () => {
    server.handler = faults.slow(20_000);
    const { opa } = await create({ timeout: 150 });
    const started = performance.now();
    await expect(opa.check(request())).rejects.toBeInstanceOf(OpaTimeoutError);
    // Timers never fire early, however busy the machine: not before the deadline. Without one,
    // the permit would come at 20 s; the bound leaves a loaded machine 30 deadlines of slack.
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150 - 2);
    expect(elapsed).toBeLessThan(5_000);
    expect(RecordingObserver.events.at(-1)).toMatchObject({
      outcome: 'error',
      errorKind: 'OpaTimeoutError',
    });
  });

  it('retries a reset connection inside the deadline and succeeds', async () => {
    let calls = 0;
    server.handler = (req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else res.end(permitBody);
    };
    const { opa } = await create();
    await expect(opa.check(request())).resolves.toMatchObject({ permit: true });
    expect(calls).toBe(2);
  });

  it('does not retry an answer, even a 500', async () => {
    server.handler = (_req, res) => {
      requests++;
      faults.json(500, { code: 'internal_error' })(_req, res);
    };
    const { opa } = await create({ circuitBreaker: false });
    await expect(opa.check(request())).rejects.toMatchObject({ status: 500 });
    expect(requests).toBe(1);
  });

  it('opens the breaker when most decisions fail, fails fast, then recovers half-open', async () => {
    // The machine's speed can neither move a call out of the window nor end the open state early.
    fakeDateOnly();
    try {
      server.handler = (_req, res) => {
        requests++;
        faults.json(503, {})(_req, res);
      };
      const { opa } = await create({
        // At least 3 decisions in 1 s, more than half of them failed.
        circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 3, halfOpenAfter: 300 },
      });
      for (let i = 0; i < 3; i++)
        await expect(opa.check(request())).rejects.toMatchObject({ status: 503 });
      expect(requests).toBe(3);
      expect(RecordingObserver.states).toEqual(['open']);

      // Fails fast: an OPA that would never answer is not asked, so no deadline is waited for.
      server.handler = () => requests++;
      await expect(opa.check(request())).rejects.toBeInstanceOf(OpaCircuitOpenError);
      expect(requests).toBe(3);

      serve(permitBody);
      jest.setSystemTime(Date.now() + 299);
      await expect(opa.check(request())).rejects.toBeInstanceOf(OpaCircuitOpenError);
      jest.setSystemTime(Date.now() + 2);
      await expect(opa.check(request())).resolves.toMatchObject({ permit: true });
      expect(requests).toBe(4);
      expect(RecordingObserver.states).toEqual(['open', 'half-open', 'closed']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shares one OPA call between identical decisions in flight', async () => {
    serve(permitBody, 50);
    const { opa } = await create();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => opa.check(request())));
    expect(decisions.every((d) => d.permit)).toBe(true);
    expect(requests).toBe(1);
    expect(RecordingObserver.events.filter((e) => e.source === 'coalesced')).toHaveLength(19);
  });

  it('never shares a call between different decisions', async () => {
    serve(permitBody, 20);
    const { opa } = await create();
    await Promise.all([
      opa.check(request('alice')),
      opa.check(request('bob')),
      opa.check(request('alice', 't-2')),
    ]);
    expect(requests).toBe(3);
  });

  it('caches only when asked, with a shorter TTL for denials, and invalidates by subject', async () => {
    let permit = true;
    serve(() => (permit ? permitBody : denyBody));
    // Denials live 1 s: long enough that a busy machine never lets one lapse between two checks.
    const { opa, cache } = await create({ cache: { ttl: 60_000, denyTtl: 1_000 } });

    await opa.check(request('alice'));
    await opa.check(request('alice'));
    expect(requests).toBe(1);
    expect(RecordingObserver.events.map((e) => e.source)).toEqual(['opa', 'cache']);

    permit = false;
    await opa.check(request('bob'));
    await opa.check(request('bob'));
    expect(requests).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await opa.check(request('bob')); // the denial expired, the permit did not
    expect(requests).toBe(3);

    cache.invalidateSubject({ type: 'user', id: 'alice' });
    expect((await opa.check(request('alice'))).permit).toBe(false);
    expect(requests).toBe(4);

    cache.invalidateAll();
    expect(cache.size).toBe(0);
  });

  it('neither stores nor shares an answer asked before an invalidation', async () => {
    let permit = true;
    server.handler = (_req, res) => {
      requests++;
      const body = permit ? permitBody : denyBody; // what OPA knew when it was asked
      setTimeout(() => res.end(body), 100);
    };
    const { opa, cache } = await create({ cache: { ttl: 10_000, denyTtl: 10_000 } });

    const askedOpa = server.nextRequests(1);
    const before = opa.check(request('alice')); // in flight with the old bindings
    await askedOpa;
    permit = false; // the bindings change...
    cache.invalidateSubject({ type: 'user', id: 'alice' }); // ...and the app says so
    const after = opa.check(request('alice')); // must not join the stale call

    expect((await before).permit).toBe(true);
    expect((await after).permit).toBe(false);
    expect(requests).toBe(2);
    expect((await opa.check(request('alice'))).permit).toBe(false); // the stale permit was not kept
    expect(requests).toBe(2);
  });

  it('does not cache by default', async () => {
    serve(permitBody);
    const { opa, cache } = await create();
    await opa.check(request());
    await opa.check(request());
    expect(requests).toBe(2);
    expect(cache.enabled).toBe(false);
  });
});
