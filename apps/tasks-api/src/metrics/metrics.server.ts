import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';

/**
 * `GET /metrics` on its own port (`METRICS_PORT`, `METRICS_HOST`), never on the app's: prom-client's
 * default registry in the Prometheus text format, i.e. the decision metrics of
 * `OpaMetricsObserver` (`opa_decisions_total`, `opa_decision_duration_seconds`, ...) and Node's
 * process metrics. It is anonymous, so a scraper needs no token and still gets figures while OPA
 * is down; what keeps it private is where it listens (loopback by default; in Kubernetes a port
 * the Service does not expose and the NetworkPolicy opens to the monitoring pods only).
 *
 * A plain `node:http` server, outside Nest's router, guards and pipes: it serves one path and
 * shares nothing with the public API. It starts with the app and stops with it.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(private readonly config: ConfigService) {}

  /** Where metrics are served, e.g. `http://127.0.0.1:9464/metrics`; undefined until started. */
  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.getOrThrow<AppConfig>(APP_CONFIG).metrics;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return this.reply(res, 404, 'Not Found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.reply(res, 405, 'Method Not Allowed\n');
    }
    try {
      const body = await register.metrics();
      res.setHeader('Content-Type', register.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      // A failing collector: say so in the app's log, never in the answer.
      this.logger.error(`collecting metrics failed: ${(error as Error).message}`);
      this.reply(res, 500, 'Internal Server Error\n');
    }
  }

  private reply(res: ServerResponse, status: number, text: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(text);
  }
}
