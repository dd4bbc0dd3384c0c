import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM text and file paths of a throwaway PKI, made with the `openssl` CLI. */
export interface TestPki {
  dir: string;
  /** The CA that signed the server and client certificates. */
  ca: { pem: string; file: string };
  /** OPA's certificate, for 127.0.0.1 (SAN IP). */
  server: { certFile: string; keyFile: string };
  /** A client certificate signed by the CA, for OPA's `--authentication=tls`. */
  client: { cert: string; key: string };
  /** A CA that signed nothing here: trusting only it must reject OPA's certificate. */
  otherCa: { pem: string };
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates a CA, a server certificate and a client certificate in a fresh temp directory. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-opa-pki-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

  const makeCa = (name: string) =>
    openssl(
      'req',
      '-x509',
      ...EC,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.crt`),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const makeLeaf = (name: string, extensions: string) => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(
      'req',
      ...EC,
      '-subj',
      `/CN=${name}`,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-days',
      '1',
      '-CA',
      path('test-ca.crt'),
      '-CAkey',
      path('test-ca.key'),
      '-CAcreateserial',
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.crt`),
    );
  };

  makeCa('test-ca');
  makeCa('other-ca');
  makeLeaf('opa-server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf('opa-client', 'extendedKeyUsage=clientAuth\n');

  const read = (name: string) => readFileSync(path(name), 'utf8');
  return {
    dir,
    ca: { pem: read('test-ca.crt'), file: path('test-ca.crt') },
    server: { certFile: path('opa-server.crt'), keyFile: path('opa-server.key') },
    client: { cert: read('opa-client.crt'), key: read('opa-client.key') },
    otherCa: { pem: read('other-ca.crt') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
