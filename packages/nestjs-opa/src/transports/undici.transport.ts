import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'undici';
import { OPA_RESOLVED_OPTIONS } from '../opa.constants.js';
import { OpaMessages } from '../opa.messages.js';
import { OpaInvalidResponseError, OpaTimeoutError, OpaUnavailableError } from '../opa.errors.js';
import type { ResolvedOpaOptions } from '../opa.options.js';
import type { OpaHttpRequest, OpaHttpResponse, OpaTransport } from './opa-transport.interface.js';

/**
 * The default transport: a pool of keep-alive connections held open to OPA. On loopback it costs
 * a fraction of a fresh request per call, which matters for a check that sits on every request.
 */
@Injectable()
export class UndiciTransport implements OpaTransport, OnModuleDestroy {
  private readonly pool: Pool;
  private readonly pathPrefix: string;

  constructor(@Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions) {
    const url = new URL(this.options.url);
    this.pathPrefix = url.pathname.replace(/\/$/, '');
    const tls = this.options.tls;
    this.pool = new Pool(url.origin, {
      connections: this.options.connections,
      keepAliveTimeout: 30_000,
      ...(tls
        ? {
            connect: {
              ca: tls.ca,
              cert: tls.cert,
              key: tls.key,
              rejectUnauthorized: tls.rejectUnauthorized ?? true,
            },
          }
        : {}),
    });
  }

  async send(request: OpaHttpRequest): Promise<OpaHttpResponse> {
    const { url, timeout, maxResponseBytes } = this.options;
    // Decision calls carry the deadline's signal; admin calls get the per-call timeout.
    const signal = request.signal ?? AbortSignal.timeout(timeout);
    try {
      const response = await this.pool.request({
        method: request.method,
        path: this.pathPrefix + request.path,
        headers: {
          ...this.options.headers,
          ...(request.body === undefined
            ? {}
            : { 'content-type': request.contentType ?? 'application/json' }),
        },
        body: request.body,
        signal,
      });
      const body = await readBody(response.body, maxResponseBytes);
      return { status: response.statusCode, body };
    } catch (error) {
      if (error instanceof OpaInvalidResponseError) throw error;
      if (signal.aborted)
        throw new OpaTimeoutError(OpaMessages.timedOut(url, timeout), { cause: error });
      throw new OpaUnavailableError(OpaMessages.connectionFailed(url), { cause: error });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

async function readBody(
  stream: AsyncIterable<Buffer> & { destroy(): void },
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new OpaInvalidResponseError(OpaMessages.bodyTooLarge(limit));
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
