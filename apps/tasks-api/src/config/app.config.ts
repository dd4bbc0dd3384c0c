import { registerAs } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from '../auth/jwt.constants.js';

/** Everything the app reads from its environment, parsed once at startup. */
export interface AppConfig {
  /** `PORT`, default 3000. */
  port: number;
  /** `HOST`, default 127.0.0.1: a development sample should not listen on every interface. */
  host: string;
  /**
   * Where `GET /metrics` is served: its own port, never the app's, so the public port (and a
   * Service in front of it) has no anonymous metrics. `METRICS_PORT`, default 9464;
   * `METRICS_HOST`, default 127.0.0.1 (a Prometheus in a cluster needs `0.0.0.0`, fenced by a
   * NetworkPolicy).
   */
  metrics: { port: number; host: string };
  /** `OPA_URL`, default http://127.0.0.1:8181 (OPA as a sidecar). */
  opaUrl: string;
  /**
   * `AUTHZ_ENGINE`: `server` (default) asks OPA for every decision; `wasm` answers point and bulk
   * decisions in process from the signed Wasm bundle below, and asks OPA only for list filters.
   */
  engine: 'server' | 'wasm';
  /**
   * With `AUTHZ_ENGINE=wasm`: `AUTHZ_WASM_BUNDLE_FILE` or `AUTHZ_WASM_BUNDLE_URL` (a bundle server,
   * polled every `AUTHZ_WASM_POLLING_MS`, default 10000), verified with the PEM public key read at
   * startup from `AUTHZ_WASM_PUBLIC_KEY_FILE`.
   */
  wasmBundle?: { file?: string; url?: string; publicKey: string; pollingInterval?: number };
  /** `OPA_REQUIRE_BUNDLES=true`: readiness waits for OPA's policy bundle (the Kubernetes setup). */
  opaRequireBundles: boolean;
  /** `OPA_DECISION_CACHE_TTL_MS`: turns the decision cache on with this TTL for permits. Unset: off. */
  decisionCacheTtlMs?: number;
  /**
   * `OPA_BULKHEAD=true`: bound the decisions in flight to OPA (the library's `bulkhead`, off by
   * default): past it a decision fails fast with 503 instead of waiting out its deadline.
   */
  opaBulkhead: boolean;
  /** `OPA_TOKEN`: bearer token for an OPA run with `--authentication=token`. */
  opaToken?: string;
  /**
   * TLS towards an `https://` OPA, as PEM read at startup from `OPA_CA_FILE` (CA of OPA's
   * certificate) and, for OPA's `--authentication=tls`, `OPA_CLIENT_CERT_FILE` + `OPA_CLIENT_KEY_FILE`.
   */
  opaTls?: { ca?: string; cert?: string; key?: string };
  /** `DATABASE_URL` (postgres://...). Unset: the embedded sql.js database in {@link dataDir}. */
  databaseUrl?: string;
  /** `DATA_DIR`, default `./.data` from the working directory: where the embedded database lives. */
  dataDir: string;
  jwt: {
    /** `JWT_ISSUER`: the `iss` every token must carry. */
    issuer: string;
    /** `JWT_AUDIENCE`: the `aud` every token must carry. */
    audience: string;
    /** `JWT_PUBLIC_KEY`: PEM public key of the token issuer. Unset: the development key pair. */
    publicKeyPem?: string;
    /**
     * `JWT_KEYS_DIR`, default `./.dev-keys` from the working directory (`npm start` passes the
     * repository root's): where the public half of the development key pair is read from.
     */
    keysDir: string;
  };
}

/** Config namespace; read it with `config.getOrThrow<AppConfig>(APP_CONFIG)`. */
export const APP_CONFIG = 'app';

/** Parses `env` into an {@link AppConfig}, failing fast with a message that names the variable. */
export function readAppConfig(env: Record<string, string | undefined>): AppConfig {
  const port = readPort(env, 'PORT', 3000);
  const metricsPort = readPort(env, 'METRICS_PORT', 9464);
  if (metricsPort === port && port !== 0) {
    throw new Error(`METRICS_PORT must differ from PORT (${port}): metrics stay off the app port`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(
      'DATABASE_URL must be a postgres:// URL (unset it to use the embedded database)',
    );
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    metrics: { port: metricsPort, host: env.METRICS_HOST || '127.0.0.1' },
    opaUrl: env.OPA_URL || 'http://127.0.0.1:8181',
    engine: readEngine(env),
    wasmBundle: readWasmBundle(env),
    opaRequireBundles: env.OPA_REQUIRE_BUNDLES === 'true',
    decisionCacheTtlMs: readPositiveInteger(env, 'OPA_DECISION_CACHE_TTL_MS'),
    opaBulkhead: env.OPA_BULKHEAD === 'true',
    opaToken: env.OPA_TOKEN || undefined,
    opaTls: readOpaTls(env),
    databaseUrl,
    dataDir: resolve(env.DATA_DIR || '.data'),
    jwt: {
      issuer: env.JWT_ISSUER || DEFAULT_JWT_ISSUER,
      audience: env.JWT_AUDIENCE || DEFAULT_JWT_AUDIENCE,
      publicKeyPem: env.JWT_PUBLIC_KEY || undefined,
      keysDir: resolve(env.JWT_KEYS_DIR || '.dev-keys'),
    },
  };
}

function readEngine(env: Record<string, string | undefined>): AppConfig['engine'] {
  const engine = env.AUTHZ_ENGINE || 'server';
  if (engine !== 'server' && engine !== 'wasm') {
    throw new Error(`AUTHZ_ENGINE must be "server" or "wasm", got "${engine}"`);
  }
  return engine;
}

/** The Wasm bundle's source and key, read now so a bad setting fails at startup. */
function readWasmBundle(env: Record<string, string | undefined>): AppConfig['wasmBundle'] {
  if (env.AUTHZ_ENGINE !== 'wasm') return undefined;
  const file = env.AUTHZ_WASM_BUNDLE_FILE || undefined;
  const url = env.AUTHZ_WASM_BUNDLE_URL || undefined;
  if (!file === !url) {
    throw new Error('AUTHZ_ENGINE=wasm needs AUTHZ_WASM_BUNDLE_FILE or AUTHZ_WASM_BUNDLE_URL');
  }
  const keyFile = env.AUTHZ_WASM_PUBLIC_KEY_FILE;
  if (!keyFile) throw new Error('AUTHZ_ENGINE=wasm needs AUTHZ_WASM_PUBLIC_KEY_FILE (PEM)');
  let publicKey: string;
  try {
    publicKey = readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new Error(
      `AUTHZ_WASM_PUBLIC_KEY_FILE: cannot read "${keyFile}" (${(error as Error).message})`,
      { cause: error },
    );
  }
  return {
    file,
    url,
    publicKey,
    pollingInterval: readPositiveInteger(env, 'AUTHZ_WASM_POLLING_MS'),
  };
}

/** `OPA_CA_FILE`, `OPA_CLIENT_CERT_FILE`, `OPA_CLIENT_KEY_FILE`, read now so a bad path fails at startup. */
function readOpaTls(env: Record<string, string | undefined>): AppConfig['opaTls'] {
  if (!env.OPA_CLIENT_CERT_FILE !== !env.OPA_CLIENT_KEY_FILE) {
    throw new Error('OPA_CLIENT_CERT_FILE and OPA_CLIENT_KEY_FILE must be set together');
  }
  const read = (name: string) => {
    const file = env[name];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${name}: cannot read "${file}" (${(error as Error).message})`, {
        cause: error,
      });
    }
  };
  const tls = {
    ca: read('OPA_CA_FILE'),
    cert: read('OPA_CLIENT_CERT_FILE'),
    key: read('OPA_CLIENT_KEY_FILE'),
  };
  return tls.ca || tls.cert ? tls : undefined;
}

/** The `app` config namespace, read from `env` (tests pass their own). */
export const appConfig = (env: Record<string, string | undefined> = process.env) =>
  registerAs(APP_CONFIG, () => readAppConfig(env));

/** A port number from `env[name]` (0: any free port), `fallback` when unset. */
function readPort(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number, got "${raw}"`);
  }
  return port;
}

function readPositiveInteger(
  env: Record<string, string | undefined>,
  name: string,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
  }
  return value;
}
