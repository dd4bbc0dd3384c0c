import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { DECISION_ID_HEADER, OpaResponseError } from '../../src/index.js';
import { createAppModule } from '../express-for-root/app.module.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { FaultServer, faults } from '../support/fault-server.js';
import { createApp, getAs } from '../support/guard-scenario.js';
import { decisionLogLine } from '../support/opa-log.js';
import { createOpaTesting } from '../support/opa-testing.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every 403 carries an id that finds its decision in a log, whether or not OPA logs decisions. */
describe('Decision ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-decision-id-'));
  const logger = new CapturingLogger();

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    logger.lines = [];
  });

  /** Starts OPA and the fixtures app against it; stops both after the block. */
  function boot(decisionLogs: boolean) {
    const running: { opa?: RunningOpa; app?: INestApplication; logFile: string } = {
      logFile: join(dir, `opa-${decisionLogs}.log`),
    };
    beforeAll(async () => {
      running.opa = await startOpa({ decisionLogs, logFile: running.logFile });
      running.app = await createApp(createAppModule(running.opa.url), 'express', logger);
    });
    afterAll(async () => {
      await running.app?.close();
      await running.opa?.stop();
    });
    return running;
  }

  /** The decision ids written in the library's audit lines. */
  const auditedIds = () =>
    logger.messages('OpaAudit').map((message) => (message as { decisionId?: unknown }).decisionId);

  describe('OPA without decision logs', () => {
    const running = boot(false);

    it('puts an id the library minted on the 403 (header and body) and in the audit line', async () => {
      const res = await getAs(running.app!, '/tasks/t-1', 'user:dave').expect(403);
      expect(res.body.decisionId).toMatch(uuid);
      expect(res.headers[DECISION_ID_HEADER]).toBe(res.body.decisionId);
      expect(auditedIds()).toEqual([res.body.decisionId]);
    });

    it('mints a fresh id per decision, on a permit too', async () => {
      const first = await getAs(running.app!, '/tasks/t-1', 'user:alice').expect(200);
      const second = await getAs(running.app!, '/tasks/t-3', 'user:alice').expect(200);
      const ids = [first.headers[DECISION_ID_HEADER], second.headers[DECISION_ID_HEADER]];
      expect(ids[0]).toMatch(uuid);
      expect(ids[1]).toMatch(uuid);
      expect(ids[0]).not.toBe(ids[1]);
      expect(auditedIds()).toEqual(ids);
    });

    it('gives a 403 for a route without a policy an id, logged with the reason', async () => {
      const res = await getAs(running.app!, '/forgotten', 'user:alice').expect(403);
      expect(res.body.decisionId).toMatch(uuid);
      expect(res.headers[DECISION_ID_HEADER]).toBe(res.body.decisionId);
      const warnings = logger.lines.filter((line) => line.level === 'warn').map((l) => l.message);
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(`MiscController\\.forgotten: .*decisionId ${res.body.decisionId}`),
        ),
      );
    });
  });

  describe('OPA with decision logs', () => {
    const running = boot(true);

    it("uses OPA's decision id: the 403's id finds the decision in OPA's log", async () => {
      const res = await getAs(running.app!, '/tasks/t-1', 'user:dave').expect(403);
      expect(res.headers[DECISION_ID_HEADER]).toBe(res.body.decisionId);
      expect(auditedIds()).toEqual([res.body.decisionId]);
      const event = JSON.parse(await decisionLogLine(running.logFile, res.body.decisionId));
      expect(event).toMatchObject({
        decision_id: res.body.decisionId,
        input: { subject: { id: 'dave' }, action: 'task:read', resource: { id: 't-1' } },
        result: { permit: false },
      });
    });
  });

  describe('OPA answering an error', () => {
    const server = new FaultServer();
    afterAll(() => server.stop());

    it("writes the id OPA's error answer carried in the audit line", async () => {
      server.handler = faults.json(500, { code: 'internal_error', decision_id: 'd-err-1' });
      const { moduleRef, opa } = await createOpaTesting({
        url: await server.start(),
        retry: false,
        logger,
      });
      const check = opa.check({
        subject: { type: 'user', id: 'alice' },
        action: 'task:read',
        resource: { type: 'Task', id: 't-1' },
        roles: {},
        bindings: [],
      });
      await expect(check).rejects.toBeInstanceOf(OpaResponseError);
      expect(logger.messages('OpaAudit')).toEqual([
        expect.objectContaining({ outcome: 'error', decisionId: 'd-err-1' }),
      ]);
      await moduleRef.close();
    });
  });
});
