import { jest } from '@jest/globals';

/**
 * Fakes `Date` alone (undo with `jest.useRealTimers()`): sockets, timers and `performance` keep
 * real time. The circuit breaker's clock is `Date.now()`, so a test holds its sampling window and
 * its open state still, whatever the machine's load, and moves them with `jest.setSystemTime()`.
 */
export function fakeDateOnly(): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
