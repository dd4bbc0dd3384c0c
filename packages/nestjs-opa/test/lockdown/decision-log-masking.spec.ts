import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { UndiciTransport } from '../../src/index.js';
import { decisionLogLine as logLine } from '../support/opa-log.js';
import { closeServices, createService } from './opa-client.js';

/** policies/system/log erases credentials from the decision log; the decision itself stays. */
describe('decision log masking', () => {
  let dir: string;
  let logFile: string;
  let opa: RunningOpa;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-log-'));
    logFile = join(dir, 'opa.log');
    opa = await startOpa({ decisionLogs: true, logFile });
  });
  afterAll(async () => {
    await closeServices();
    await opa?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the decision without the secrets its input carried', async () => {
    const secrets = ['tok-7f3a9c', 'Bearer hdr-51be02', 'pw-c0ffee', 'key-d34db3'];
    const input = {
      subject: { type: 'user', id: 'alice', attributes: { password: secrets[2] } },
      action: 'task:read',
      resource: { type: 'Task', id: 't-1' },
      roles: { admin: { permissions: ['task:*'] } },
      bindings: [{ subject: { type: 'user', id: 'alice' }, role: 'admin', scope: null }],
      token: secrets[0],
      headers: { authorization: secrets[1], 'X-Api-Key': secrets[3] },
    };
    const service = await createService(UndiciTransport, { url: opa.url });
    const { result, decisionId } = await service.evaluate('authz/decision', input);
    expect(result).toMatchObject({ permit: true });

    const line = await logLine(logFile, decisionId!);
    for (const secret of secrets) expect(line).not.toContain(secret);
    const event = JSON.parse(line);
    expect(event).toMatchObject({
      msg: 'Decision Log',
      path: 'authz/decision',
      result: { permit: true },
      input: { subject: { id: 'alice', attributes: {} }, action: 'task:read', headers: {} },
    });
    expect(event.erased.sort()).toEqual([
      '/input/headers/X-Api-Key',
      '/input/headers/authorization',
      '/input/subject/attributes/password',
      '/input/token',
    ]);
  });
});
