import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A stand-in for a broken OPA on 127.0.0.1: each test sets how it misbehaves. */
export class FaultServer {
  handler: FaultHandler = (_req, res) => res.end();
  private arrived = 0;
  private waiters: Array<{ until: number; resolve: () => void }> = [];
  private readonly server: Server = createServer((req, res) => {
    this.handler(req, res);
    this.arrived++;
    this.waiters = this.waiters.filter((w) => (this.arrived >= w.until ? void w.resolve() : true));
  });

  /**
   * Resolves once `count` more requests (counted from this call) have reached the handler: a test
   * waits for its calls to arrive rather than for a fixed time, which a loaded machine outlasts.
   */
  nextRequests(count: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ until: this.arrived + count, resolve }));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Canned misbehaviours. */
export const faults = {
  json:
    (status: number, body: unknown): FaultHandler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
  text:
    (body: string): FaultHandler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    },
  slow:
    (ms: number): FaultHandler =>
    (_req, res) => {
      const timer = setTimeout(
        () => res.writeHead(200).end('{"result":{"permit":true,"allow":true,"deny":false}}'),
        ms,
      );
      res.on('close', () => clearTimeout(timer));
    },
  huge:
    (bytes: number): FaultHandler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"result":{"permit":true,"allow":true,"deny":false,"pad":"${'x'.repeat(bytes)}"}}`);
    },
};
