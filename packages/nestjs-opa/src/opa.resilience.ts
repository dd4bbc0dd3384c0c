import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import {
  OpaCircuitOpenError,
  OpaError,
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

/** A connection that failed before OPA could answer: safe and worth retrying. */
function isConnectionFailure(error: Error): boolean {
  return error instanceof OpaUnavailableError && !(error instanceof OpaTimeoutError);
}

/** OPA failing (down, slow, 5xx, garbage), as opposed to a request OPA rejected (4xx). */
function isOutage(error: Error): boolean {
  if (error instanceof OpaResponseError) return error.status >= 500;
  return error instanceof OpaError && !(error instanceof UnsupportedResidualError);
}

/**
 * Wraps every decision call: a deadline over the whole call, a circuit breaker that fails fast
 * while OPA is failing (probing it half-open), and jittered retries of connection failures
 * inside the deadline. Built on cockatiel.
 */
@Injectable()
export class OpaResilience {
  private readonly policy: IPolicy;
  private readonly deadline: number;
  private readonly url: string;
  readonly breaker?: CircuitBreakerPolicy;

  constructor(
    @Inject(OPA_RESOLVED_OPTIONS) options: ResolvedOpaOptions,
    @Inject(OPA_OBSERVERS) observers: OpaObserver[],
  ) {
    this.deadline = options.timeout;
    this.url = options.url;
    // abortOnReturn off: the deadline still aborts a call in flight, but a call that returned has
    // nothing left to cancel, and aborting its signal anyway (cockatiel's default) builds a
    // DOMException and fires the transport's listeners on every decision, about a third of the
    // client's CPU time per check (found with bench/run.mjs --profile, node --cpu-prof).
    const policies: IPolicy[] = [
      timeout(this.deadline, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
    ];
    if (options.circuitBreaker !== false) {
      const { consecutiveFailures, halfOpenAfter } = options.circuitBreaker;
      const breaker = circuitBreaker(handleWhen(isOutage), {
        halfOpenAfter,
        breaker: new ConsecutiveBreaker(consecutiveFailures),
      });
      breaker.onStateChange((state) => {
        for (const observer of observers) observer.onBreakerStateChange?.(BREAKER_STATES[state]);
      });
      this.breaker = breaker;
      policies.push(breaker);
    }
    if (options.retry !== false) {
      const { maxAttempts, initialDelay, maxDelay } = options.retry;
      policies.push(
        retry(handleWhen(isConnectionFailure), {
          maxAttempts,
          backoff: new ExponentialBackoff({ initialDelay, maxDelay }),
        }),
      );
    }
    this.policy = wrap(...policies);
  }

  /** The breaker's state, for health and metrics. */
  get breakerState(): BreakerState {
    return this.breaker ? BREAKER_STATES[this.breaker.state] : 'closed';
  }

  /** Runs one OPA call under the policies; `signal` aborts it when the deadline passes. */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => call(signal));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new OpaCircuitOpenError(OpaMessages.circuitOpen(this.url), { cause: error });
      }
      if (error instanceof TaskCancelledError) {
        throw new OpaTimeoutError(OpaMessages.timedOut(this.url, this.deadline), { cause: error });
      }
      throw error;
    }
  }
}
