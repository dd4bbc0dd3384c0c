import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import {
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  devKeysDir,
} from '../../../../scripts/dev-keys.mjs';

/** Everything the app reads from its environment, parsed once at startup. */
export interface AppConfig {
  /** `PORT`, default 3000. */
  port: number;
  /** `HOST`, default 127.0.0.1: a development sample should not listen on every interface. */
  host: string;
  /** `OPA_URL`, default http://127.0.0.1:8181 (OPA as a sidecar). */
  opaUrl: string;
  /** `OPA_REQUIRE_BUNDLES=true`: readiness waits for OPA's policy bundle (the Kubernetes setup). */
  opaRequireBundles: boolean;
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
    /** `JWT_KEYS_DIR`: where the development key pair lives (default `.dev-keys/` at the repo root). */
    keysDir: string;
  };
}

/** Config namespace; read it with `config.getOrThrow<AppConfig>(APP_CONFIG)`. */
export const APP_CONFIG = 'app';

/** Parses `env` into an {@link AppConfig}, failing fast with a message that names the variable. */
export function readAppConfig(env: Record<string, string | undefined>): AppConfig {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
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
    opaUrl: env.OPA_URL || 'http://127.0.0.1:8181',
    opaRequireBundles: env.OPA_REQUIRE_BUNDLES === 'true',
    databaseUrl,
    dataDir: resolve(env.DATA_DIR || '.data'),
    jwt: {
      issuer: env.JWT_ISSUER || DEFAULT_JWT_ISSUER,
      audience: env.JWT_AUDIENCE || DEFAULT_JWT_AUDIENCE,
      publicKeyPem: env.JWT_PUBLIC_KEY || undefined,
      keysDir: devKeysDir(env),
    },
  };
}

/** The `app` config namespace, read from `env` (tests pass their own). */
export const appConfig = (env: Record<string, string | undefined> = process.env) =>
  registerAs(APP_CONFIG, () => readAppConfig(env));
