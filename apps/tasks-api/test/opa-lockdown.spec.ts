import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpa, type RunningOpa } from '../../../scripts/opa-server.mjs';
import {
  createTestPki,
  type TestPki,
} from '../../../packages/nestjs-opa/test/lockdown/certificates.js';
import { readAppConfig } from '../src/config/app.config.js';
import { TestEnv } from './support/environment.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const alice = { type: 'user', id: 'alice' } as const;

/** The sample against a locked-down OPA: a bearer token (OPA_TOKEN), then mutual TLS (OPA_*_FILE). */
describe('tasks-api against a locked-down OPA', () => {
  describe('with token authentication', () => {
    const token = randomBytes(24).toString('base64url');
    let opa: RunningOpa;
    let t: TestApp;

    beforeAll(async () => {
      opa = await startOpa({
        args: ['--authentication=token', '--authorization=basic'],
        env: { OPA_AUTH_TOKEN: token },
      });
      t = await createTestApp({ OPA_URL: opa.url, OPA_TOKEN: token });
    });
    afterAll(async () => {
      await t?.close();
      await opa?.stop();
    });

    it('decides guarded requests with OPA_TOKEN, and /health is up', async () => {
      const res = await t.as(alice).get('/tasks/t-1');
      expect(res.status).toBe(200);
      expect(res.body.id).toBe('t-1');
      expect((await t.as(alice).get('/tasks')).status).toBe(200);
      expect((await t.http().get('/health')).status).toBe(200);
    });
  });

  describe('with mutual TLS', () => {
    let pki: TestPki;
    let opa: RunningOpa;
    let t: TestApp;

    beforeAll(async () => {
      pki = createTestPki();
      opa = await startOpa({
        args: [
          `--tls-cert-file=${pki.server.certFile}`,
          `--tls-private-key-file=${pki.server.keyFile}`,
          '--authentication=tls',
          `--tls-ca-cert-file=${pki.ca.file}`,
        ],
        scheme: 'https',
        probe: { ca: pki.ca.pem, cert: pki.client.cert, key: pki.client.key },
      });
      writeFileSync(join(pki.dir, 'client.crt'), pki.client.cert);
      writeFileSync(join(pki.dir, 'client.key'), pki.client.key);
      t = await createTestApp({
        OPA_URL: opa.url,
        OPA_CA_FILE: pki.ca.file,
        OPA_CLIENT_CERT_FILE: join(pki.dir, 'client.crt'),
        OPA_CLIENT_KEY_FILE: join(pki.dir, 'client.key'),
      });
    });
    afterAll(async () => {
      await t?.close();
      await opa?.stop();
      pki?.remove();
    });

    it('decides guarded requests over https with the files, and /health is up', async () => {
      expect((await t.as(alice).get('/tasks/t-1')).status).toBe(200);
      expect((await t.http().get('/health')).status).toBe(200);
    });
  });

  it('fails at startup naming the variable whose file cannot be read', () => {
    const missing = join(TestEnv.scratchDir(), 'no-such-ca.pem');
    expect(() => readAppConfig({ OPA_CA_FILE: missing })).toThrow(/^OPA_CA_FILE: cannot read/);
    expect(() => readAppConfig({ OPA_CLIENT_CERT_FILE: missing })).toThrow(
      'OPA_CLIENT_CERT_FILE and OPA_CLIENT_KEY_FILE must be set together',
    );
  });
});
