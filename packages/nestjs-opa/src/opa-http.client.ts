import { Inject, Injectable } from '@nestjs/common';
import { readDecisionId } from './decision.parser.js';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import type { OpaDeadline } from './opa.deadline.js';
import { OpaInvalidResponseError, OpaNotReadyError, OpaResponseError } from './opa.errors.js';
import { OpaMessages } from './opa.messages.js';
import type { ResolvedOpaOptions } from './opa.options.js';
import { OpaResilience } from './opa.resilience.js';
import { OpaTransport, type OpaHttpRequest } from './transports/opa-transport.interface.js';

/**
 * OPA's REST API over the configured transport: the one place that turns an HTTP exchange into
 * a parsed body or a typed error. Shared by the server engine, the admin service and `evaluate`.
 */
@Injectable()
export class OpaHttpClient {
  constructor(
    @Inject(OpaTransport) private readonly transport: OpaTransport,
    private readonly resilience: OpaResilience,
    @Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions,
  ) {}

  /** A decision call: under the deadline, the circuit breaker and retries. */
  decide(request: OpaHttpRequest): Promise<unknown> {
    return this.resilience.execute((deadline) => this.call(new DecisionRequest(request, deadline)));
  }

  /** Sends a request and returns the parsed JSON body (`undefined` for an empty one). */
  async call(request: OpaHttpRequest): Promise<unknown> {
    // engine 'wasm' without `url`: no server to ask, never a default address.
    if (!this.options.hasServer) throw new OpaNotReadyError(OpaMessages.noServer);
    const response = await this.transport.send(request);
    const body = parseJson(response.body);
    if (response.status < 200 || response.status > 299) {
      throw new OpaResponseError(response.status, { decisionId: readDecisionId(body) });
    }
    if (body === invalidJson) throw new OpaInvalidResponseError(OpaMessages.invalidBody);
    return body;
  }
}

/** A decision call's request: its `signal` is made only for a transport that reads it. */
class DecisionRequest implements OpaHttpRequest {
  readonly method: OpaHttpRequest['method'];
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;

  constructor(
    request: OpaHttpRequest,
    readonly deadline: OpaDeadline,
  ) {
    this.method = request.method;
    this.path = request.path;
    this.body = request.body;
    this.contentType = request.contentType;
  }

  get signal(): AbortSignal {
    return this.deadline.signal;
  }
}

const invalidJson = Symbol('invalidJson');

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}

/**
 * Turns `authz.decision`, `data.authz.decision` or `authz/decision` into the URL path `authz/decision`,
 * refusing segments that could escape the `data` tree.
 */
export function toDataPath(path: string): string {
  const segments = path.replace(/^\/?(data[./])?/, '').split(/[./]/);
  if (segments.some((segment) => !/^[\w-]+$/.test(segment))) {
    throw new TypeError(`Invalid OPA data path: "${path}"`);
  }
  return segments.join('/');
}
