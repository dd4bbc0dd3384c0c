/** Where the in-process engine gets its signed Wasm bundle (`npm run policies:build -- --target wasm`). */
export interface WasmBundleOptions {
  /** Path of a bundle file (`.tar.gz`). Give `file` or `url`. */
  file?: string;
  /** URL of a bundle on a bundle server, polled with `If-None-Match`. Give `file` or `url`. */
  url?: string;
  /** PEM public key the bundle's signature must verify with. Unsigned bundles are refused. */
  publicKey: string;
  /** Key id the signature must name (OPA's `signing.keyid`); not checked when unset. */
  keyId?: string;
  /**
   * How often the file or URL is checked for a new bundle, in milliseconds; `0` loads it once.
   * @default 10000
   */
  pollingInterval?: number;
  /** Extra headers sent to the bundle server (e.g. `authorization`). */
  headers?: Record<string, string>;
  /**
   * Largest bundle accepted, compressed or not, in bytes.
   * @default 33554432 (32 MiB)
   */
  maxBytes?: number;
  /**
   * Deadline of one download, in milliseconds.
   * @default 10000
   */
  timeout?: number;
}

/** Options of `engine: 'wasm'`. */
export interface WasmEngineOptions {
  bundle: WasmBundleOptions;
}

/** The state of the in-process engine, for health checks. */
export interface WasmEngineStatus {
  /** A verified bundle is active: decisions can be answered. */
  ready: boolean;
  /** The active bundle's revision (from its `.manifest`). */
  revision?: string;
  /** Why the latest bundle was refused or could not be fetched; the active one still serves. */
  lastError?: string;
}
