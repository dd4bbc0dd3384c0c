import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool, type Dispatcher } from 'undici';
import { OPA_RESOLVED_OPTIONS } from '../opa.constants.js';
import { OpaDeadline } from '../opa.deadline.js';
import { OpaMessages } from '../opa.messages.js';
import {
  OpaError,
  OpaInvalidResponseError,
  OpaOverloadedError,
  OpaTimeoutError,
  OpaUnavailableError,
} from '../opa.errors.js';
import type { ResolvedOpaOptions } from '../opa.options.js';
import type { OpaHttpRequest, OpaHttpResponse, OpaTransport } from './opa-transport.interface.js';

/**
 * The default transport: a pool of keep-alive connections held open to OPA. On loopback it costs
 * a fraction of a fresh request per call, which matters for a check that sits on every request.
 *
 * It dispatches with a handler of its own rather than `pool.request()`: no response stream and
 * no `AbortSignal` listener per call, about a fifth less client CPU per decision, so a decision
 * costs about what a bare `pool.request()` does (bench/run.mjs, scenarios 2 and 5b).
 */
@Injectable()
export class UndiciTransport implements OpaTransport, OnModuleDestroy {
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  /** Responses OPA finished so far: whether it answered while a request waited. */
  private answers = 0;
  /** Headers of a JSON body, the common case, built once. */
  private readonly jsonHeaders: Record<string, string>;

  constructor(@Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions) {
    const url = new URL(this.options.url);
    this.pathPrefix = url.pathname.replace(/\/$/, '');
    this.jsonHeaders = { ...this.options.headers, 'content-type': 'application/json' };
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
    const { url, timeout } = this.options;
    // Decision calls carry the decision's deadline; admin calls get the per-call timeout.
    const deadline =
      request.deadline ??
      new OpaDeadline(timeout, () => new OpaTimeoutError(OpaMessages.timedOut(url, timeout)));
    try {
      return await this.exchange(request, deadline);
    } catch (error) {
      // Verdicts of our own (the deadline's timeout, a body too large, overload) go out as they are.
      if (error instanceof OpaError) throw error;
      if (deadline.expired) {
        throw new OpaTimeoutError(OpaMessages.timedOut(url, timeout), { cause: error });
      }
      throw new OpaUnavailableError(OpaMessages.connectionFailed(url), { cause: error });
    } finally {
      if (deadline !== request.deadline) deadline.clear();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  /**
   * Why a request the deadline caught before it was sent failed. If OPA kept answering while it
   * waited for a connection, it waited in this pool behind our own calls: our overload, which the
   * circuit breaker does not count ({@link OpaOverloadedError}). If OPA answered nothing in that
   * time (down, hung, unreachable), it is a timeout like any other.
   */
  private unsent(timedOut: Error, answersBefore: number): Error {
    if (this.answers === answersBefore) return timedOut;
    return new OpaOverloadedError(OpaMessages.noFreeConnection(this.options.connections), {
      cause: timedOut,
    });
  }

  private headersFor(request: OpaHttpRequest): Record<string, string> {
    if (request.body === undefined) return { ...this.options.headers };
    if (request.contentType === undefined) return this.jsonHeaders;
    return { ...this.options.headers, 'content-type': request.contentType };
  }

  /** One request and its whole body, aborted when the deadline (or `request.signal`) fires. */
  private exchange(request: OpaHttpRequest, deadline: OpaDeadline): Promise<OpaHttpResponse> {
    const limit = this.options.maxResponseBytes;
    return new Promise((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let cancelled: Error | undefined;
      const cancel = (reason: Error) => {
        cancelled ??= reason;
        controller?.abort(reason);
        reject(reason);
      };
      const answersBefore = this.answers;
      deadline.onExpire((reason) =>
        cancel(controller ? reason : this.unsent(reason, answersBefore)),
      );
      if (request.signal && !request.deadline) {
        const signal = request.signal;
        if (signal.aborted) cancel(new Error('aborted'));
        else signal.addEventListener('abort', () => cancel(new Error('aborted')), { once: true });
      }
      if (cancelled) return;

      const chunks: Buffer[] = [];
      let size = 0;
      let status = 0;
      this.pool.dispatch(
        {
          method: request.method,
          path: this.pathPrefix + request.path,
          headers: this.headersFor(request),
          body: request.body,
        },
        {
          onRequestStart(started) {
            controller = started;
            if (cancelled) started.abort(cancelled);
          },
          onResponseStart(_controller, statusCode) {
            status = statusCode;
            chunks.length = 0;
            size = 0;
          },
          onResponseData(_controller, chunk) {
            size += chunk.length;
            if (size > limit) cancel(new OpaInvalidResponseError(OpaMessages.bodyTooLarge(limit)));
            else chunks.push(chunk);
          },
          onResponseEnd: () => {
            this.answers++;
            const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            resolve({ status, body: body.toString('utf8') });
          },
          onResponseError(_controller, error) {
            reject(cancelled ?? error);
          },
        },
      );
    });
  }
}
