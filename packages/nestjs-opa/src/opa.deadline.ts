/**
 * One decision's deadline: one timer, and callbacks run when it passes. An `AbortSignal` is made
 * only for a transport that asks for one: on loopback an AbortController, its listeners and
 * cockatiel's timeout policy cost about a fifth of a decision's client CPU (bench/run.mjs
 * --profile), and the default transport does without them.
 */
export class OpaDeadline {
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly callbacks: Array<(reason: Error) => void> = [];
  private controller?: AbortController;
  private reason?: Error;

  constructor(ms: number, reason: () => Error) {
    this.timer = setTimeout(() => this.expire(reason()), ms);
  }

  /** Whether the deadline has passed. */
  get expired(): boolean {
    return this.reason !== undefined;
  }

  /** Aborted when the deadline passes (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Runs `callback` when the deadline passes, or now if it has. */
  onExpire(callback: (reason: Error) => void): void {
    if (this.reason) callback(this.reason);
    else this.callbacks.push(callback);
  }

  /** Stops the timer: the call it bounded is over. */
  clear(): void {
    clearTimeout(this.timer);
    this.callbacks.length = 0;
  }

  private expire(reason: Error): void {
    this.reason = reason;
    this.controller?.abort(reason);
    for (const callback of this.callbacks.splice(0)) callback(reason);
  }
}
