export declare const DEFAULT_BUNDLE: string;
export declare const DEV_BUNDLE_KEYS_DIR: string;
export declare const ENTRYPOINTS: string[];
export declare const DEFAULT_WASM_BUNDLE: string;
export declare const WASM_ENTRYPOINTS: string[];
export declare function devBundleKeys(dir?: string): {
  privateKeyPath: string;
  publicKeyPath: string;
};
export declare function signingAlgorithm(privateKeyPath: string): string;
export interface BuildBundleOptions {
  /** Policy directories merged into one bundle root; default the engine and the sample's rules. */
  policies?: string | string[];
  output?: string;
  signingKey?: string;
  revision?: string;
  /** `wasm`: policy.wasm for the in-process engine. @default 'rego' */
  target?: 'rego' | 'wasm';
}
export declare function buildBundle(options?: BuildBundleOptions): {
  output: string;
  revision: string;
  algorithm: string;
  signingKey: string;
};
