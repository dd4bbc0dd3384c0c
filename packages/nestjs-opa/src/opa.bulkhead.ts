import { OpaOverloadedError } from './opa.errors.js';
import { OpaMessages } from './opa.messages.js';

interface Waiter {
  grant(): void;
}

/**
 * Bounds the decisions in flight to OPA: `limit` run at once, up to `queue` more wait in order
 * (first come, first served, whoever asks), each for at most `maxWaitMs`; beyond that the answer
 * is an {@link OpaOverloadedError} at once. Overload then costs every caller the same queue
 * instead of timing out the calls already sent.
 *
 * Not cockatiel's `bulkhead()`: a waiter there keeps its queue place after its deadline passed,
 * and a slot freed onto such a waiter stays idle while others wait.
 */
export class OpaBulkhead {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly limit: number,
    readonly queue: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Decisions running now, and waiting for a slot. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiters.length };
  }

  /** Resolves with the function that gives the slot back, once one is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.queue) {
      return Promise.reject(new OpaOverloadedError(OpaMessages.overloaded(this.limit, this.queue)));
    }
    return new Promise((resolve, reject) => {
      const leave = (error: OpaOverloadedError) => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () =>
        leave(new OpaOverloadedError(OpaMessages.queueTimedOut(this.maxWaitMs)));
      const timer = setTimeout(onAbort, this.maxWaitMs);
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives the slot to the next waiter, or frees it; a second call does nothing. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.active--;
    };
  }
}
