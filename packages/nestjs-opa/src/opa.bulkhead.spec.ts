import { jest } from '@jest/globals';
import { OpaBulkhead } from './opa.bulkhead.js';
import { OpaOverloadedError, OpaUnavailableError } from './opa.errors.js';

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );

describe('OpaBulkhead', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs up to the limit at once, queues in arrival order, rejects past the queue', async () => {
    const bulkhead = new OpaBulkhead(2, 2, 1000);
    const order: number[] = [];
    const slots = [0, 1, 2, 3].map((n) =>
      bulkhead.acquire().then((release) => {
        order.push(n);
        return release;
      }),
    );
    const rejected = await settle(bulkhead.acquire());
    expect(rejected).toEqual({ error: expect.any(OpaOverloadedError) });
    expect((rejected as { error: Error }).error).toBeInstanceOf(OpaUnavailableError);
    expect(bulkhead.load).toEqual({ active: 2, queued: 2 });

    const [first, second] = await Promise.all(slots.slice(0, 2));
    expect(order).toEqual([0, 1]);
    first!();
    first!(); // a second release gives nothing back twice
    await slots[2];
    expect(order).toEqual([0, 1, 2]);
    expect(bulkhead.load).toEqual({ active: 2, queued: 1 });
    second!();
    (await slots[3])();
    (await slots[2])();
    expect(bulkhead.load).toEqual({ active: 0, queued: 0 });
  });

  it('lets a waiter go after maxWaitMs, and gives the freed slot to the next one', async () => {
    const bulkhead = new OpaBulkhead(1, 5, 100);
    const release = await bulkhead.acquire();
    const expired = settle(bulkhead.acquire());
    jest.advanceTimersByTime(60);
    const next = bulkhead.acquire();
    jest.advanceTimersByTime(40);
    expect(await expired).toEqual({ error: expect.any(OpaOverloadedError) });
    expect(bulkhead.load).toEqual({ active: 1, queued: 1 });
    release();
    (await next)();
    expect(bulkhead.load).toEqual({ active: 0, queued: 0 });
  });

  it('leaves the queue when the deadline aborts the wait', async () => {
    const bulkhead = new OpaBulkhead(1, 5, 1000);
    await bulkhead.acquire();
    const deadline = new AbortController();
    const waiting = settle(bulkhead.acquire(deadline.signal));
    deadline.abort();
    expect(await waiting).toEqual({ error: expect.any(OpaOverloadedError) });
    expect(bulkhead.load).toEqual({ active: 1, queued: 0 });
  });

  it('with no queue, refuses at once when every slot is busy', async () => {
    const bulkhead = new OpaBulkhead(1, 0, 1000);
    await bulkhead.acquire();
    await expect(bulkhead.acquire()).rejects.toThrow(
      'Too many decisions at once: 1 in flight to OPA and 0 queued; not queueing more',
    );
  });
});
