import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ExponentialBackoff,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  noop,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { OpaBulkhead } from './opa.bulkhead.js';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import { OpaDeadline } from './opa.deadline.js';
import {
  OpaCircuitOpenError,
  OpaError,
  OpaOverloadedError,
  OpaResponseError,
  OpaTimeoutError,
  OpaUnavailableError,
  UnsupportedResidualError,
} from './opa.errors.js';
import { OpaMessages } from './opa.messages.js';
import { OPA_OBSERVERS, type BreakerState, type OpaObserver } from './opa-observer.interface.js';
import type { ResolvedOpaOptions } from './opa.options.js';

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * A connection that failed before OPA could answer: safe and worth retrying. Not a timeout (the
 * deadline is spent) nor our own overload (a retry would add to it).
 */
function isConnectionFailure(error: Error): boolean {
  return (
    error instanceof OpaUnavailableError &&
    !(error instanceof OpaTimeoutError) &&
    !(error instanceof OpaOverloadedError)
  );
}

/**
 * OPA failing (down, slow, 5xx, garbage), as opposed to a request OPA rejected (4xx) or one never
 * sent because the client itself was full.
 */
function isOutage(error: Error): boolean {
  if (error instanceof OpaResponseError) return error.status >= 500;
  if (error instanceof OpaOverloadedError || error instanceof UnsupportedResidualError)
    return false;
  return error instanceof OpaError;
}

/**
 * Wraps every decision call: a deadline over the whole call, the opt-in bulkhead that bounds the
 * calls in flight (a decision waits at most half its deadline for a slot, so a call sent always
 * has the other half), a sampling circuit breaker that fails fast while OPA is failing (probing it
 * half-open), and jittered retries of connection failures inside the deadline. The breaker and
 * retries are cockatiel's; the deadline is an {@link OpaDeadline}.
 *
 * The breaker only judges calls that were sent: time spent waiting for a bulkhead slot, a full
 * queue, or a wait for a pool connection while OPA kept answering (the transport reports it as
 * {@link OpaOverloadedError}) says nothing about OPA and never opens it.
 */
@Injectable()
export class OpaResilience {
  private readonly policy: IPolicy;
  private readonly deadline: number;
  private readonly url: string;
  readonly breaker?: CircuitBreakerPolicy;
  readonly bulkhead?: OpaBulkhead;

  constructor(
    @Inject(OPA_RESOLVED_OPTIONS) settings: ResolvedOpaOptions,
    @Inject(OPA_OBSERVERS) observers: OpaObserver[],
  ) {
    this.deadline = settings.timeout;
    this.url = settings.url;
    const policies: IPolicy[] = [];
    if (settings.bulkhead) {
      const { maxConcurrent, maxQueued } = settings.bulkhead;
      this.bulkhead = new OpaBulkhead(maxConcurrent, maxQueued, this.deadline / 2);
    }
    if (settings.circuitBreaker) {
      const { halfOpenAfter, ...sampling } = settings.circuitBreaker;
      const breaker = circuitBreaker(handleWhen(isOutage), {
        halfOpenAfter,
        breaker: new SamplingBreaker(sampling),
      });
      breaker.onStateChange((state) => {
        for (const observer of observers) observer.onBreakerStateChange?.(BREAKER_STATES[state]);
      });
      this.breaker = breaker;
      policies.push(breaker);
    }
    if (settings.retry) {
      const { maxAttempts, initialDelay, maxDelay } = settings.retry;
      policies.push(
        retry(handleWhen(isConnectionFailure), {
          maxAttempts,
          backoff: new ExponentialBackoff({ initialDelay, maxDelay }),
        }),
      );
    }
    this.policy = policies.length > 0 ? wrap(...policies) : noop;
  }

  /** The breaker's state, for health and metrics. */
  get breakerState(): BreakerState {
    return this.breaker ? BREAKER_STATES[this.breaker.state] : 'closed';
  }

  /**
   * Runs one OPA call under the policies. The caller gets an {@link OpaTimeoutError} when the
   * deadline passes, whether or not `call` heeds the deadline it is handed.
   */
  async execute<T>(call: (deadline: OpaDeadline) => Promise<T>): Promise<T> {
    const started = performance.now();
    const deadline = new OpaDeadline(
      this.deadline,
      () => new OpaTimeoutError(OpaMessages.timedOut(this.url, this.deadline)),
    );
    try {
      return await new Promise<T>((resolve, reject) => {
        deadline.onExpire(reject);
        this.underPolicies(call, deadline, started).then(resolve, reject);
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new OpaCircuitOpenError(OpaMessages.circuitOpen(this.url), { cause: error });
      }
      throw error;
    } finally {
      deadline.clear();
    }
  }

  private underPolicies<T>(
    call: (deadline: OpaDeadline) => Promise<T>,
    deadline: OpaDeadline,
    started: number,
  ): Promise<T> {
    const send = () => this.policy.execute(() => this.judge(call(deadline), started));
    if (!this.bulkhead) return send();
    // The signal is made only when a bulkhead needs it.
    return this.bulkhead.acquire(deadline.signal).then((release) => send().finally(release));
  }

  /**
   * A timeout noticed well after the deadline means this process's event loop was stalled: an
   * answer may have been waiting unread. That is our own overload, not OPA's, so the breaker is
   * handed an {@link OpaOverloadedError}, which it does not count (the caller still times out).
   */
  private judge<T>(pending: Promise<T>, started: number): Promise<T> {
    return pending.catch((error: unknown) => {
      const late = performance.now() - started - this.deadline;
      if (error instanceof OpaTimeoutError && late > this.deadline / 2) {
        throw new OpaOverloadedError(OpaMessages.stalled(Math.round(late)), { cause: error });
      }
      throw error;
    });
  }
}
