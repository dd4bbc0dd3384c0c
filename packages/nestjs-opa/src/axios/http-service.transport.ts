import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Agent } from 'node:https';
import { firstValueFrom } from 'rxjs';
import { OPA_RESOLVED_OPTIONS } from '../opa.constants.js';
import { OpaMessages } from '../opa.messages.js';
import { OpaInvalidResponseError, OpaTimeoutError, OpaUnavailableError } from '../opa.errors.js';
import type { ResolvedOpaOptions } from '../opa.options.js';
import type {
  OpaHttpRequest,
  OpaHttpResponse,
  OpaTransport,
} from '../transports/opa-transport.interface.js';

/**
 * Sends calls through the application's `@nestjs/axios` `HttpService`, so its interceptors, agents
 * and proxy settings apply. Import `HttpModule` (or `HttpModule.register(...)`) in your application.
 *
 * @example
 * ```ts
 * OpaModule.forRoot({ url: 'http://127.0.0.1:8181', transport: HttpServiceTransport })
 * ```
 */
@Injectable()
export class HttpServiceTransport implements OpaTransport, OnModuleInit {
  private readonly httpsAgent?: Agent;
  private http?: HttpService;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions,
  ) {
    const tls = this.options.tls;
    if (tls) {
      this.httpsAgent = new Agent({
        keepAlive: true,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
      });
    }
  }

  /** Fails at startup, with what to fix, when the application has no HttpModule. */
  onModuleInit(): void {
    this.httpService();
  }

  private httpService(): HttpService {
    try {
      this.http ??= this.moduleRef.get(HttpService, { strict: false });
      return this.http;
    } catch (error) {
      throw new Error(
        'HttpServiceTransport needs HttpModule from @nestjs/axios imported in the application',
        { cause: error },
      );
    }
  }

  async send(request: OpaHttpRequest): Promise<OpaHttpResponse> {
    const { url, timeout, maxResponseBytes, headers } = this.options;
    const http = this.httpService();
    // Decision calls carry the deadline's signal; admin calls get the per-call timeout.
    const signal = request.signal ?? AbortSignal.timeout(timeout);
    try {
      const response = await firstValueFrom(
        http.request<string>({
          baseURL: url,
          url: request.path,
          method: request.method,
          data: request.body,
          headers: {
            ...headers,
            ...(request.body === undefined
              ? {}
              : { 'content-type': request.contentType ?? 'application/json' }),
          },
          signal,
          timeout,
          ...(this.httpsAgent ? { httpsAgent: this.httpsAgent } : {}),
          maxContentLength: maxResponseBytes,
          responseType: 'text',
          // Keep the body as text: parsing is the service's job, for every transport alike.
          transformResponse: (data: unknown) => data,
          validateStatus: () => true,
        }),
      );
      return {
        status: response.status,
        body: typeof response.data === 'string' ? response.data : '',
      };
    } catch (error) {
      if (signal.aborted || isAxiosCode(error, 'ECONNABORTED') || isAxiosCode(error, 'ETIMEDOUT')) {
        throw new OpaTimeoutError(OpaMessages.timedOut(url, timeout), { cause: error });
      }
      if (isAxiosCode(error, 'ERR_BAD_RESPONSE')) {
        throw new OpaInvalidResponseError(OpaMessages.bodyTooLarge(maxResponseBytes), {
          cause: error,
        });
      }
      throw new OpaUnavailableError(OpaMessages.connectionFailed(url), { cause: error });
    }
  }
}

function isAxiosCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
