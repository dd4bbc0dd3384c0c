import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with each request it receives:
 * - `pass`: forwards to OPA (when OPA is down, drops the connection as OPA's absence would);
 * - `slow`: waits `slowMs` (past the app's 500 ms deadline), then forwards;
 * - `garbage`: 200 with a body that is not JSON;
 * - `partial`: 200 `{"result":{"permit":true}}`, a document missing `allow` and `deny`;
 * - `error500`: 500 with OPA's error shape;
 * - `huge`: 200 with a complete, well-formed PERMIT padded past 1.5 MiB (over the 1 MiB cap);
 * - `close`: closes the connection without answering;
 * - `flaky`: one of the above at random, per request (`pass` half the time).
 */
export type FaultMode =
  'pass' | 'slow' | 'garbage' | 'partial' | 'error500' | 'huge' | 'close' | 'flaky';

export const FAULT_MODES: FaultMode[] = ['slow', 'garbage', 'partial', 'error500', 'huge', 'close'];

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  /** Requests seen, by the mode applied to them. */
  readonly seen: Record<string, number>;
  close(): Promise<void>;
}

const HUGE_BODY = Buffer.concat([
  Buffer.from('{"result":{"permit":true,"allow":true,"deny":false},"padding":"'),
  Buffer.alloc(1.5 * 1024 * 1024, 'x'),
  Buffer.from('"}'),
]);

/** A fault-injecting HTTP proxy on 127.0.0.1 in front of `target` (OPA). */
export async function startFaultProxy(target: string, slowMs = 800): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const timers = new Set<NodeJS.Timeout>();
  const seen: Record<string, number> = {};

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (res.destroyed) return;
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host, 'content-length': body.length },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    // OPA down or gone mid-answer: the app sees a dropped connection, as it would without us.
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  };

  const apply = (mode: FaultMode, req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (mode === 'flaky') {
      const modes: FaultMode[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', ...FAULT_MODES];
      mode = modes[Math.floor(Math.random() * modes.length)]!;
    }
    seen[mode] = (seen[mode] ?? 0) + 1;
    switch (mode) {
      case 'pass':
        return forward(req, res, body);
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          forward(req, res, body);
        }, slowMs);
        timers.add(timer);
        return;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>502 Bad Gateway</html>{"result":');
      case 'partial':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"result":{"permit":true}}');
      case 'error500':
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"code":"internal_error","message":"injected fault"}');
      case 'huge':
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': HUGE_BODY.length,
        });
        return res.end(HUGE_BODY);
      case 'close':
        return req.socket.destroy();
    }
  };

  const proxy: FaultProxy = {
    url: '',
    mode: 'pass',
    seen,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    // The mode when the request arrives decides its fate, as a real fault would.
    const mode = proxy.mode;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => apply(mode, req, res, Buffer.concat(chunks)));
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
