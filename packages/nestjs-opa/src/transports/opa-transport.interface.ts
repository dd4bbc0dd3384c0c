import type { OpaDeadline } from '../opa.deadline.js';

/** One HTTP exchange with OPA, independent of the client library that carries it. */
export interface OpaHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query below the base URL, starting with `/`. */
  path: string;
  /** Request body, already serialized. */
  body?: string;
  /** Content type of `body`; JSON when omitted. */
  contentType?: string;
  /** Aborts the request, e.g. when the decision's deadline passes. */
  signal?: AbortSignal;
  /**
   * The decision's deadline, the same one `signal` reports, as a callback: cheaper than a
   * listener on `signal` when the client can abort without one (the default transport).
   */
  deadline?: OpaDeadline;
}

export interface OpaHttpResponse {
  status: number;
  /** The raw response body. */
  body: string;
}

/**
 * Carries requests to OPA. Implementations enforce the timeout and the response size limit and
 * throw {@link OpaUnavailableError}, {@link OpaTimeoutError} or {@link OpaInvalidResponseError};
 * a non-2xx status is returned, not thrown.
 */
export interface OpaTransport {
  send(request: OpaHttpRequest): Promise<OpaHttpResponse>;
}

/** Injection token of the {@link OpaTransport} in use. */
export const OpaTransport = Symbol('OpaTransport');
