import { Inject, Injectable } from '@nestjs/common';
import { WasmDecisionEngine } from './engines/wasm.engine.js';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import { OpaNotReadyError } from './opa.errors.js';
import { OpaMessages } from './opa.messages.js';
import type { ResolvedOpaOptions } from './opa.options.js';
import { OpaHttpClient, toDataPath } from './opa-http.client.js';

/** One JSON Patch operation for {@link OpaAdminService.patchData}. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** What {@link OpaAdminService.health} should also require of OPA. */
export interface OpaHealthOptions {
  /** Require every configured bundle to be activated (`/health?bundles`). */
  bundles?: boolean;
  /** Require every plugin to be OK (`/health?plugins`). */
  plugins?: boolean;
}

/**
 * OPA server's admin and health API: policies, data documents and `/health`. These calls are
 * not decisions: they run under the per-call timeout, outside the circuit breaker and retries.
 * Every failure throws an `OpaError`.
 *
 * @example
 * ```ts
 * await admin.putData('flags', { beta: true });
 * await admin.health({ bundles: true });
 * ```
 */
@Injectable()
export class OpaAdminService {
  constructor(
    private readonly http: OpaHttpClient,
    private readonly wasm: WasmDecisionEngine,
    @Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions,
  ) {}

  /**
   * Creates or replaces a policy module.
   *
   * @example
   * ```ts
   * await admin.putPolicy('extra', 'package authz.custom\n\nallow if input.subject.id == "root"');
   * ```
   */
  async putPolicy(id: string, rego: string): Promise<void> {
    await this.http.call({
      method: 'PUT',
      path: `/v1/policies/${encodeURIComponent(id)}`,
      body: rego,
      contentType: 'text/plain',
    });
  }

  /** Deletes a policy module. @example `await admin.deletePolicy('extra')` */
  async deletePolicy(id: string): Promise<void> {
    await this.http.call({ method: 'DELETE', path: `/v1/policies/${encodeURIComponent(id)}` });
  }

  /** Creates or replaces the document at `data/<path>`. @example `await admin.putData('flags', { beta: true })` */
  async putData(path: string, value: unknown): Promise<void> {
    await this.http.call({
      method: 'PUT',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(value),
    });
  }

  /**
   * Applies JSON Patch operations to the document at `data/<path>`.
   *
   * @example
   * ```ts
   * await admin.patchData('flags', [{ op: 'replace', path: '/beta', value: false }]);
   * ```
   */
  async patchData(path: string, operations: JsonPatchOperation[]): Promise<void> {
    await this.http.call({
      method: 'PATCH',
      path: `/v1/data/${toDataPath(path)}`,
      body: JSON.stringify(operations),
      contentType: 'application/json-patch+json',
    });
  }

  /** Deletes the document at `data/<path>`. @example `await admin.deleteData('flags')` */
  async deleteData(path: string): Promise<void> {
    await this.http.call({ method: 'DELETE', path: `/v1/data/${toDataPath(path)}` });
  }

  /**
   * Resolves when OPA's `/health` answers 200; throws an `OpaError` otherwise. With
   * `engine: 'wasm'` it resolves when a verified bundle is active (the engine that decides;
   * the OPA server at `url`, which only compiles filters, is checked by its own probe).
   *
   * @example
   * ```ts
   * await admin.health({ bundles: true });
   * ```
   */
  async health(options: OpaHealthOptions = {}): Promise<void> {
    if (this.options.engine === 'wasm') {
      if (!this.wasm.status().ready) throw new OpaNotReadyError(OpaMessages.wasmNotReady);
      return;
    }
    const query = [options.bundles && 'bundles', options.plugins && 'plugins']
      .filter(Boolean)
      .join('&');
    await this.http.call({ method: 'GET', path: query ? `/health?${query}` : '/health' });
  }
}
