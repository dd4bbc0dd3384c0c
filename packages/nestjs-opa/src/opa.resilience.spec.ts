import { jest } from '@jest/globals';
import type { BreakerState, OpaObserver } from './opa-observer.interface.js';
import {
  OpaCircuitOpenError,
  OpaInvalidResponseError,
  OpaOverloadedError,
  OpaResponseError,
  OpaTimeoutError,
  OpaUnavailableError,
  UnsupportedResidualError,
} from './opa.errors.js';
import { resolveOpaOptions } from './opa.options.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';
import { OpaResilience } from './opa.resilience.js';
import type { OpaDeadline } from './opa.deadline.js';

function resilience(options: OpaModuleOptions = {}) {
  const states: BreakerState[] = [];
  const observer: OpaObserver = { onBreakerStateChange: (state) => states.push(state) };
  return { policy: new OpaResilience(resolveOpaOptions(options), [observer]), states };
}
const refused = () => new OpaUnavailableError('connection refused');

describe('OpaResilience', () => {
  it('fails a call at the deadline, and tells the call: callback and signal alike', async () => {
    const { policy } = resilience({ timeout: 50 });
    let deadline: OpaDeadline | undefined;
    const told: Error[] = [];
    const call = policy.execute(
      (d) =>
        new Promise((resolve) => {
          deadline = d;
          d.onExpire((reason) => told.push(reason));
          setTimeout(resolve, 1_000);
        }),
    );
    await expect(call).rejects.toBeInstanceOf(OpaTimeoutError);
    expect(told).toEqual([expect.any(OpaTimeoutError)]);
    // A signal asked for after the deadline passed is born aborted.
    expect(deadline?.signal.aborted).toBe(true);
  });

  it('fails at the deadline even a call that ignores it', async () => {
    const { policy } = resilience({ timeout: 50 });
    const call = policy.execute(() => new Promise(() => undefined));
    await expect(call).rejects.toBeInstanceOf(OpaTimeoutError);
  });

  it('stops the deadline once the call is over', async () => {
    const { policy } = resilience({ timeout: 50 });
    let deadline: OpaDeadline | undefined;
    await policy.execute(async (d) => {
      deadline = d;
      return 'answer';
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deadline?.expired).toBe(false);
    expect(deadline?.signal.aborted).toBe(false);
  });

  it('retries a connection failure, and only that', async () => {
    const { policy } = resilience({ retry: { maxAttempts: 2, initialDelay: 1, maxDelay: 1 } });
    const flaky = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(refused())
      .mockResolvedValueOnce('answer');
    await expect(policy.execute(flaky)).resolves.toBe('answer');
    expect(flaky).toHaveBeenCalledTimes(2);

    for (const error of [
      new OpaResponseError(500),
      new OpaInvalidResponseError('garbage'),
      new OpaOverloadedError('no free connection'),
      new OpaTimeoutError('too late'),
    ]) {
      const failing = jest.fn<() => Promise<string>>().mockRejectedValue(error);
      await expect(policy.execute(failing)).rejects.toBe(error);
      expect(failing).toHaveBeenCalledTimes(1);
    }
  });

  it('does not retry when retries are off', async () => {
    const { policy } = resilience({ retry: false });
    const failing = jest.fn<() => Promise<string>>().mockRejectedValue(refused());
    await expect(policy.execute(failing)).rejects.toBeInstanceOf(OpaUnavailableError);
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('opens the breaker when most calls fail, answers at once, tells the observers', async () => {
    const { policy, states } = resilience({
      retry: false,
      circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 2, halfOpenAfter: 60_000 },
    });
    const outage = jest.fn<() => Promise<string>>().mockRejectedValue(new OpaResponseError(503));
    const errors: unknown[] = [];
    for (let i = 0; i < 6; i++) await policy.execute(outage).catch((e: unknown) => errors.push(e));
    expect(errors.at(-1)).toBeInstanceOf(OpaCircuitOpenError);
    expect(outage.mock.calls.length).toBeLessThan(6);
    expect(policy.breakerState).toBe('open');
    expect(states).toEqual(['open']);
  });

  it('does not count answers OPA gave on purpose (4xx, unsupported residuals) as outages', async () => {
    const { policy } = resilience({
      retry: false,
      circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 2, halfOpenAfter: 60_000 },
    });
    for (const error of [
      new OpaResponseError(400),
      new UnsupportedResidualError('not representable'),
      new OpaResponseError(404),
      new OpaResponseError(409),
    ]) {
      await expect(policy.execute(() => Promise.reject(error))).rejects.toBe(error);
    }
    expect(policy.breakerState).toBe('closed');
  });
});
