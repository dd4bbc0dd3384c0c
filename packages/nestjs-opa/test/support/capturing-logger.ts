import type { LoggerService } from '@nestjs/common';

/** Keeps what the library logs, message objects as they were passed. */
export class CapturingLogger implements LoggerService {
  lines: Array<{ level: string; message: unknown; context?: unknown }> = [];
  log(message: unknown, context?: unknown) {
    this.lines.push({ level: 'log', message, context });
  }
  warn(message: unknown, context?: unknown) {
    this.lines.push({ level: 'warn', message, context });
  }
  error(message: unknown, context?: unknown) {
    this.lines.push({ level: 'error', message, context });
  }

  /** The messages logged under `context`. */
  messages(context: string): unknown[] {
    return this.lines.filter((line) => line.context === context).map((line) => line.message);
  }
}
