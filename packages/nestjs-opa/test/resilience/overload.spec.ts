import type { INestApplication } from '@nestjs/common';
import { jest } from '@jest/globals';
import request from 'supertest';
import {
  OpaCircuitOpenError,
  OpaOverloadedError,
  OpaTimeoutError,
  OpaUnavailableError,
  type OpaModuleOptions,
} from '../../src/index.js';
import { fakeDateOnly } from '../support/fake-date.js';
import { FaultServer, faults } from '../support/fault-server.js';
import { createFixturesAppModule } from '../support/fixtures.js';
import { createApp } from '../support/guard-scenario.js';
import { createOpaTesting } from '../support/opa-testing.js';
import { permitBody, readTask, RecordingObserver } from '../support/recording-observer.js';

/** Distinct decisions, so none is shared by coalescing. */
const request_ = (n: number, id = 'flooder') => readTask(id, `t-${n}`);

/** Settles every promise, timing each: what a flood of callers sees. */
async function timed<T>(calls: Array<() => Promise<T>>) {
  return Promise.all(
    calls.map(async (call) => {
      const started = performance.now();
      try {
        return { value: await call(), ms: performance.now() - started };
      } catch (error) {
        return { error: error as Error, ms: performance.now() - started };
      }
    }),
  );
}

describe('Overload: a busy OPA is not a failing OPA (against a scripted OPA on 127.0.0.1)', () => {
  const server = new FaultServer();
  let url: string;
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    url = await server.start();
  });
  afterAll(() => server.stop());
  afterEach(() => jest.useRealTimers());
  beforeEach(() => {
    RecordingObserver.events = [];
    RecordingObserver.states = [];
    inFlight = 0;
    maxInFlight = 0;
  });

  /** A healthy but busy OPA: every answer is right, and takes `delayMs`. */
  const busy = (delayMs: number) => {
    server.handler = (_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end(permitBody);
      }, delayMs);
    };
  };

  async function create(options: Partial<OpaModuleOptions> = {}) {
    const { opa } = await createOpaTesting({
      url,
      auditLog: false,
      observers: [RecordingObserver],
      ...options,
    });
    return opa;
  }

  it('without a bulkhead, times out a flood queued in the pool but never opens the breaker', async () => {
    busy(100);
    const opa = await create({ timeout: 1000 });
    // Opens the pool's 16 connections first, so connecting is not part of what is measured.
    await Promise.all(Array.from({ length: 16 }, (_, n) => opa.check(request_(n, 'warm-up'))));
    const flood = await timed(Array.from({ length: 400 }, (_, n) => () => opa.check(request_(n))));

    // 16 connections at 100 ms a call answer about 160 in the 1 s deadline; the rest waited in
    // the pool until it passed. Their callers time out, but OPA answered every call it was sent.
    const errors = flood.flatMap((r) => ('error' in r ? [r.error] : []));
    expect(errors.length).toBeGreaterThan(200);
    expect(errors.filter((e) => !(e instanceof OpaTimeoutError))).toEqual([]);
    expect(maxInFlight).toBeLessThanOrEqual(16);
    expect(RecordingObserver.states).not.toContain('open');
    await expect(opa.check(request_(0, 'bystander'))).resolves.toMatchObject({ permit: true });
  });

  it('counts a wait for a connection as a timeout when OPA answered nothing meanwhile', async () => {
    server.handler = () => undefined; // hung: holds every connection, answers nothing
    const opa = await create({
      // 1 s: a loaded machine's stall must pass 500 ms before a timeout reads as our own.
      timeout: 1000,
      connections: 2,
      circuitBreaker: { threshold: 0.5, duration: 10_000, minimumRps: 0.5, halfOpenAfter: 10_000 },
    });
    // Two are sent and four wait for a connection; five counted failures open the breaker.
    const errors = await Promise.all(
      Array.from({ length: 6 }, (_, n) => opa.check(request_(n)).catch((e: unknown) => e)),
    );
    for (const error of errors) expect(error).toBeInstanceOf(OpaTimeoutError);
    expect(RecordingObserver.states).toEqual(['open']);
  });

  it('with a bulkhead, sheds what cannot be sent in time, and never opens the breaker', async () => {
    busy(100);
    const opa = await create({ timeout: 1000, bulkhead: {} });
    // Opens the pool's 16 connections first, so connecting is not part of what is measured.
    await Promise.all(Array.from({ length: 16 }, (_, n) => opa.check(request_(n, 'warm-up'))));
    const flood = await timed(Array.from({ length: 200 }, (_, n) => () => opa.check(request_(n))));

    // What could not be sent in time was shed as overload, quickly, and OPA never saw a timeout.
    const errors = flood.flatMap((r) => ('error' in r ? [r.error] : []));
    expect(errors.filter((e) => !(e instanceof OpaOverloadedError))).toEqual([]);
    expect(flood.filter((r) => 'value' in r).length).toBeGreaterThan(16);
    // Nobody is held far past the 1 s deadline (slack for a loaded machine); that the shed calls
    // were shed, not timed out, is the check on the errors above.
    expect(Math.max(...flood.map((r) => r.ms))).toBeLessThan(3_000);
    expect(maxInFlight).toBeLessThanOrEqual(16);
    expect(RecordingObserver.states).not.toContain('open');

    // Another subject is answered by OPA at once: the breaker stayed closed.
    await expect(opa.check(request_(0, 'bystander'))).resolves.toMatchObject({ permit: true });
  });

  it('opens on a failure rate over the minimum throughput, not on a short streak', async () => {
    fakeDateOnly(); // every call in the breaker's window, however slow the machine
    let fail = false;
    server.handler = (req, res) => (fail ? faults.json(500, {})(req, res) : res.end(permitBody));
    const opa = await create({
      circuitBreaker: { threshold: 0.5, duration: 2000, minimumRps: 5, halfOpenAfter: 10_000 },
    });
    for (let n = 0; n < 10; n++) await opa.check(request_(n));

    // Five failures in a row among ten successes: a third failed, under the threshold.
    fail = true;
    for (let n = 0; n < 5; n++)
      await expect(opa.check(request_(n))).rejects.toMatchObject({ status: 500 });
    expect(RecordingObserver.states).toEqual([]);

    // Failing on: past half of the window's decisions, the breaker opens and fails fast.
    for (let n = 5; n < 11; n++)
      await expect(opa.check(request_(n))).rejects.toMatchObject({ status: 500 });
    expect(RecordingObserver.states).toEqual(['open']);
    await expect(opa.check(request_(99))).rejects.toBeInstanceOf(OpaCircuitOpenError);
  });

  it('does not open below the minimum throughput, however many of the few calls fail', async () => {
    fakeDateOnly(); // every call in the breaker's window, however slow the machine
    server.handler = faults.json(500, {});
    const opa = await create({
      circuitBreaker: { threshold: 0.5, duration: 2000, minimumRps: 5, halfOpenAfter: 10_000 },
    });
    for (let n = 0; n < 9; n++)
      await expect(opa.check(request_(n))).rejects.toMatchObject({ status: 500 });
    expect(RecordingObserver.states).toEqual([]);
    await expect(opa.check(request_(9))).rejects.toMatchObject({ status: 500 });
    expect(RecordingObserver.states).toEqual(['open']);
  });

  it('does not blame OPA for a timeout noticed late because this process stalled', async () => {
    server.handler = () => undefined; // OPA never answers: every decision times out
    const opa = await create({
      timeout: 1000,
      circuitBreaker: { threshold: 0.5, duration: 10_000, minimumRps: 0.5, halfOpenAfter: 10_000 },
    });
    const sent = server.nextRequests(6);
    const stalled = Array.from({ length: 6 }, (_, n) => opa.check(request_(n)).catch((e) => e));
    await sent; // all six reached OPA and wait for its answer
    // Blocked past the deadline by more than half of it: the timers fire about 1 s late.
    const until = performance.now() + 2000;
    while (performance.now() < until); // the event loop is blocked past every deadline
    for (const error of await Promise.all(stalled))
      expect(error).toBeInstanceOf(OpaUnavailableError);
    expect(RecordingObserver.states).toEqual([]);

    // The same timeouts noticed on time are OPA's: six of six failed, and the breaker opens.
    for (const error of await Promise.all(
      Array.from({ length: 6 }, (_, n) => opa.check(request_(n + 6)).catch((e) => e)),
    ))
      expect(error).toBeInstanceOf(OpaTimeoutError);
    expect(RecordingObserver.states).toEqual(['open']);
  }, 15_000);

  it('rejects at once with OpaOverloadedError when every slot and queue place is taken', async () => {
    busy(200);
    const opa = await create({ timeout: 1000, bulkhead: { maxConcurrent: 2, maxQueued: 1 } });
    const [first, second, queued, rejected] = await timed(
      [0, 1, 2, 3].map((n) => () => opa.check(request_(n))),
    );
    expect([first, second, queued].map((r) => 'value' in r)).toEqual([true, true, true]);
    expect(rejected!).toMatchObject({ error: expect.any(OpaOverloadedError) });
    expect((rejected as { error: Error }).error).toBeInstanceOf(OpaUnavailableError);
    expect((rejected as { error: Error }).error.message).toBe(
      'Too many decisions at once: 2 in flight to OPA and 1 queued; not queueing more',
    );
    // At once: before OPA's first answer (200 ms), not after a wait in the queue.
    expect(rejected!.ms).toBeLessThan(first!.ms);
    expect(maxInFlight).toBe(2);
    expect(RecordingObserver.events.filter((e) => e.outcome === 'error')).toEqual([
      expect.objectContaining({ errorKind: 'OpaOverloadedError', source: 'opa' }),
    ]);

    // Recovered: the slots are free again.
    await expect(opa.check(request_(4))).resolves.toMatchObject({ permit: true });
    expect(RecordingObserver.states).toEqual([]);
  });

  it('waits for a slot at most half the deadline, and never counts the wait as a failure', async () => {
    busy(1_400);
    const opa = await create({
      timeout: 2_000,
      bulkhead: { maxConcurrent: 1, maxQueued: 10 },
      circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 1, halfOpenAfter: 10_000 },
    });
    const [sent, waited] = await timed([0, 1].map((n) => () => opa.check(request_(n))));
    expect(sent).toMatchObject({ value: { permit: true } });
    expect(waited).toMatchObject({ error: expect.any(OpaOverloadedError) });
    expect((waited as { error: Error }).error.message).toBe(
      'No free slot to call OPA within 1000 ms; not calling it',
    );
    // Not before half the deadline (timers never fire early), and before the slot came free.
    expect(waited!.ms).toBeGreaterThanOrEqual(1_000 - 2);
    expect(waited!.ms).toBeLessThan(sent!.ms);
    expect(RecordingObserver.states).toEqual([]);
  });

  it('answers within the deadline, a wait for a slot included', async () => {
    const delays = [400, 700];
    server.handler = (_req, res) => setTimeout(() => res.end(permitBody), delays.shift());
    const opa = await create({ timeout: 1000, bulkhead: { maxConcurrent: 1, maxQueued: 1 } });
    const [first, second] = await timed([0, 1].map((n) => () => opa.check(request_(n))));
    expect(first).toMatchObject({ value: { permit: true } });
    // Waited 400 ms for the slot, then had the 600 ms left: OPA's 700 ms is past the deadline.
    // A deadline counted from the send (1.4 s) would have let OPA's answer (1.1 s) through.
    expect(second).toMatchObject({ error: expect.any(OpaTimeoutError) });
    expect(second!.ms).toBeGreaterThanOrEqual(1000 - 2);
  });

  it('turns overload into a 503 in the guard, and serves again once the flood is over', async () => {
    busy(200);
    const AppModule = createFixturesAppModule({
      url,
      timeout: 1000,
      auditLog: false,
      bulkhead: { maxConcurrent: 1, maxQueued: 1 },
    });
    const app: INestApplication = await createApp(AppModule, 'express');
    try {
      const get = ([subject, task]: string[]) =>
        request(app.getHttpServer()).get(`/tasks/${task}`).set('x-subject', `user:${subject}`);
      const responses = await Promise.all(
        [
          ['alice', 't-1'],
          ['alice', 't-3'],
          ['bob', 't-3'],
        ].map(get),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 200, 503]);
      expect(responses.find((res) => res.status === 503)!.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Authorization decision unavailable',
      });
      await get(['bob', 't-1']).expect(200);
    } finally {
      await app.close();
    }
  });
});
