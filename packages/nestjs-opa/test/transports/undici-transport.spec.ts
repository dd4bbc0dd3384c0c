import { OpaDeadline } from '../../src/opa.deadline.js';
import { OpaInvalidResponseError, OpaTimeoutError, OpaUnavailableError } from '../../src/index.js';
import { resolveOpaOptions } from '../../src/opa.options.js';
import { UndiciTransport } from '../../src/transports/undici.transport.js';
import { FaultServer, faults } from '../support/fault-server.js';

/** The default transport on its own, against a scripted OPA on 127.0.0.1. */
describe('UndiciTransport', () => {
  const server = new FaultServer();
  let transport: UndiciTransport;

  beforeAll(async () => {
    const url = await server.start();
    transport = new UndiciTransport(
      resolveOpaOptions({ url, timeout: 5_000, maxResponseBytes: 1024, headers: { 'x-a': '1' } }),
    );
  });
  afterAll(async () => {
    await transport.onModuleDestroy();
    await server.stop();
  });

  it('sends the body with its headers and returns status and body', async () => {
    server.handler = (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        res
          .writeHead(201)
          .end(JSON.stringify({ body, type: req.headers['content-type'], a: req.headers['x-a'] })),
      );
    };
    const response = await transport.send({ method: 'POST', path: '/v1/x', body: '{"input":1}' });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toEqual({
      body: '{"input":1}',
      type: 'application/json',
      a: '1',
    });
  });

  it('aborts at the deadline it is handed, as a timeout', async () => {
    server.handler = () => undefined; // never answers
    const deadline = new OpaDeadline(100, () => new Error('deadline'));
    const started = performance.now();
    await expect(
      transport.send({ method: 'POST', path: '/v1/x', body: '{}', deadline }),
    ).rejects.toBeInstanceOf(OpaTimeoutError);
    expect(performance.now() - started).toBeLessThan(4_000); // long before its own 5 s timeout
  });

  it('aborts when a signal alone is handed and fires, not as a timeout', async () => {
    server.handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await transport
      .send({ method: 'GET', path: '/health', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaUnavailableError);
    expect(error).not.toBeInstanceOf(OpaTimeoutError);
  });

  it('refuses a body over maxResponseBytes', async () => {
    server.handler = faults.text('x'.repeat(4096));
    await expect(transport.send({ method: 'GET', path: '/v1/x' })).rejects.toBeInstanceOf(
      OpaInvalidResponseError,
    );
  });
});
