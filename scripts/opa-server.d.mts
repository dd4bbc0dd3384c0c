export declare const ROOT: string;
export declare const POLICIES_DIR: string;
export declare const SAMPLE_POLICIES_DIR: string;
export declare const DEFAULT_POLICIES: string[];
export declare function opaBinary(): string;
export declare function ensureOpaInstalled(): void;
export declare function freePort(): Promise<number>;
export interface StartOpaOptions {
  port?: number;
  host?: string;
  args?: string[];
  /** Policy directories or files; default `DEFAULT_POLICIES` (engine and sample rules). */
  policies?: string[];
  logFile?: string;
  decisionLogs?: boolean;
  foreground?: boolean;
  /** `https` when `args` turn on OPA's TLS; the URL and the health probe use it. Default `http`. */
  scheme?: 'http' | 'https';
  /** Added to OPA's environment, e.g. `OPA_AUTH_TOKEN` for policies/system/authz. */
  env?: Record<string, string | undefined>;
  /** How the readiness probe calls `/health`: bearer token, CA and client certificate (PEM). */
  probe?: { token?: string; ca?: string; cert?: string; key?: string };
}
export interface RunningOpa {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}
export declare function startOpa(options?: StartOpaOptions): Promise<RunningOpa>;
