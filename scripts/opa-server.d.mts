export declare const ROOT: string;
export declare const POLICIES_DIR: string;
export declare function opaBinary(): string;
export declare function freePort(): Promise<number>;
export interface StartOpaOptions {
  port?: number;
  host?: string;
  args?: string[];
  policies?: string[];
  logFile?: string;
  decisionLogs?: boolean;
  foreground?: boolean;
}
export interface RunningOpa {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}
export declare function startOpa(options?: StartOpaOptions): Promise<RunningOpa>;
