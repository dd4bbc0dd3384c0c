import {
  DEFAULT_BULK_CHUNK_SIZE,
  DEFAULT_FILTER_RULE,
  DEFAULT_MAX_RESOURCE_ID_LENGTH,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_POLICY_PACKAGE,
  DEFAULT_TIMEOUT_MS,
} from './opa.constants.js';
import type { OpaModuleOptions } from './opa-module-options.interface.js';

/** Module options with every default applied. */
export type ResolvedOpaOptions = Required<
  Pick<
    OpaModuleOptions,
    'url' | 'policyPackage' | 'timeout' | 'headers' | 'maxResponseBytes' | 'connections'
  >
> &
  Required<
    Pick<
      OpaModuleOptions,
      'maxResourceIdLength' | 'bulkChunkSize' | 'filterRule' | 'denyAsNotFound'
    >
  > &
  Pick<OpaModuleOptions, 'subjectResolver' | 'tls'> & {
    /** An OPA server is configured (always with `engine: 'server'`). */
    hasServer: boolean;
  };

/** Applies defaults and checks the options once, at startup, with messages that say what to fix. */
export function resolveOpaOptions(options: OpaModuleOptions): ResolvedOpaOptions {
  const url = new URL(options.url ?? 'http://127.0.0.1:8181');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpaModule: url must be http(s), got "${url.protocol}"`);
  }
  const policyPackage = options.policyPackage ?? DEFAULT_POLICY_PACKAGE;
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(policyPackage)) {
    throw new TypeError(`OpaModule: policyPackage "${policyPackage}" is not a Rego package name`);
  }
  if (options.filterRule !== undefined && !/^[A-Za-z_]\w*$/.test(options.filterRule)) {
    throw new TypeError(`OpaModule: filterRule "${options.filterRule}" is not a Rego rule name`);
  }
  if (options.engine !== undefined && options.engine !== 'server' && options.engine !== 'wasm') {
    throw new TypeError(
      `OpaModule: engine must be 'server' or 'wasm', got "${String(options.engine)}"`,
    );
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError('OpaModule: timeout must be a positive number of milliseconds');
  }
  const headers = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    url: url.href.replace(/\/$/, ''),
    policyPackage,
    timeout,
    headers,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    connections: options.connections ?? 16,
    subjectResolver: options.subjectResolver,
    tls: options.tls,
    maxResourceIdLength: options.maxResourceIdLength ?? DEFAULT_MAX_RESOURCE_ID_LENGTH,
    bulkChunkSize: options.bulkChunkSize ?? DEFAULT_BULK_CHUNK_SIZE,
    filterRule: options.filterRule ?? DEFAULT_FILTER_RULE,
    denyAsNotFound: options.denyAsNotFound ?? false,
    hasServer: options.engine !== 'wasm' || options.url !== undefined,
  };
}
