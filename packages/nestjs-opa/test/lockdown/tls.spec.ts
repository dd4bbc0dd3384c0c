import { startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';
import { OpaUnavailableError } from '../../src/index.js';
import { createTestPki, type TestPki } from './certificates.js';
import { carolUpdatesT2 } from '../support/seed.js';
import { closeServices, createService, transports } from './opa-client.js';

/** OPA serving HTTPS, then requiring client certificates; the module's `tls` option on both transports. */
describe('OPA over TLS', () => {
  let pki: TestPki;
  let https: RunningOpa;
  let mutual: RunningOpa;

  beforeAll(async () => {
    pki = createTestPki();
    const serverTls = [
      `--tls-cert-file=${pki.server.certFile}`,
      `--tls-private-key-file=${pki.server.keyFile}`,
    ];
    [https, mutual] = await Promise.all([
      startOpa({ args: serverTls, scheme: 'https', probe: { ca: pki.ca.pem } }),
      startOpa({
        args: [...serverTls, '--authentication=tls', `--tls-ca-cert-file=${pki.ca.file}`],
        scheme: 'https',
        probe: { ca: pki.ca.pem, cert: pki.client.cert, key: pki.client.key },
      }),
    ]);
  });
  afterAll(async () => {
    await closeServices();
    await Promise.all([https?.stop(), mutual?.stop()]);
    pki?.remove();
  });

  describe.each(transports)('over the %s transport', (_name, transport) => {
    it('gets decisions over https, trusting the CA', async () => {
      const opa = await createService(transport, { url: https.url, tls: { ca: pki.ca.pem } });
      expect(await opa.check(carolUpdatesT2)).toMatchObject({ permit: true });
    });

    it('rejects a server certificate from a CA it does not trust', async () => {
      const opa = await createService(transport, { url: https.url, tls: { ca: pki.otherCa.pem } });
      const error = await opa.check(carolUpdatesT2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpaUnavailableError);
      expect((error as Error).cause).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    });

    it('gets decisions over mutual TLS with a client certificate', async () => {
      const opa = await createService(transport, {
        url: mutual.url,
        tls: { ca: pki.ca.pem, cert: pki.client.cert, key: pki.client.key },
      });
      expect(await opa.check(carolUpdatesT2)).toMatchObject({ permit: true });
      await expect(opa.health()).resolves.toBeUndefined();
    });

    // TLS 1.3 checks the client certificate after the handshake: undici sees the socket closed,
    // axios the `certificate required` alert. Either way no decision is made.
    it('is refused by mutual TLS without a client certificate', async () => {
      const opa = await createService(transport, { url: mutual.url, tls: { ca: pki.ca.pem } });
      await expect(opa.check(carolUpdatesT2)).rejects.toBeInstanceOf(OpaUnavailableError);
    });
  });
});
