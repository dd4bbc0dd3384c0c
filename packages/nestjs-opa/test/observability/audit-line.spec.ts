import { jest } from '@jest/globals';
import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { pino } from 'pino';
import { type Decision } from '../../src/index.js';
import {
  auditSecrets,
  auditToken,
  carolReadsT2,
  carolReadsT2Audit,
} from '../support/audited-check.js';
import { createOpaTesting } from '../support/opa-testing.js';

/** What went to stdout while a module logging with `logger` decided once. */
async function auditOutput(
  logger: LoggerService,
): Promise<{ lines: string[]; decision: Decision }> {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const { moduleRef, opa } = await createOpaTesting({ token: auditToken, logger });
  chunks.length = 0; // the startup lines
  try {
    const decision = await opa.check(carolReadsT2);
    return { lines: chunks.join('').split('\n').filter(Boolean), decision };
  } finally {
    write.mockRestore();
    await moduleRef.close();
  }
}

/** pino behind a Nest LoggerService, as nestjs-pino does: objects are pino's merging object. */
class PinoLoggerService implements LoggerService {
  private readonly pino = pino({ base: null }, process.stdout);
  log(message: unknown, context?: string) {
    this.pino.child({ context }).info(message as object);
  }
  warn(message: unknown, context?: string) {
    this.pino.child({ context }).warn(message as object);
  }
  error(message: unknown, context?: string) {
    this.pino.child({ context }).error(message as object);
  }
}

/** One decision is one audit line, whatever logger the application uses. */
describe('The audit line', () => {
  it("is one line with Nest's default ConsoleLogger, with colors or without", async () => {
    const loggers = [
      new ConsoleLogger(),
      new ConsoleLogger({ colors: true }),
      new ConsoleLogger({ colors: false }),
    ];
    for (const logger of loggers) {
      const { lines, decision } = await auditOutput(logger);
      const audit = lines.filter((line) => line.includes('OpaAudit'));
      expect(audit).toHaveLength(1);
      expect(lines).toHaveLength(1);
      expect(audit[0]).toContain('"action":"task:read"');
      expect(audit[0]).toContain('"outcome":"permit"');
      expect(audit[0]).toContain(`"decisionId":"${decision.decisionId}"`);
      for (const secret of auditSecrets) expect(audit[0]).not.toContain(secret);
    }
  });

  it('is one structured JSON line with ConsoleLogger({ json: true })', async () => {
    const { lines, decision } = await auditOutput(new ConsoleLogger({ json: true }));
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      level: 'log',
      context: 'OpaAudit',
      message: carolReadsT2Audit(decision),
    });
    for (const secret of auditSecrets) expect(lines[0]).not.toContain(secret);
  });

  it('is one structured JSON line with pino', async () => {
    const { lines, decision } = await auditOutput(new PinoLoggerService());
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      level: 30,
      context: 'OpaAudit',
      event: 'authz.decision',
      action: 'task:read',
      outcome: 'permit',
      decisionId: decision.decisionId,
    });
    expect(record.msg).toBeUndefined();
    for (const secret of auditSecrets) expect(lines[0]).not.toContain(secret);
  });
});
