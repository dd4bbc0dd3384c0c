import { Logger } from '@nestjs/common';
import { loadDevKeys } from '../../../../scripts/dev-keys.mjs';
import type { AppConfig } from '../config/app.config.js';

/** Injection token of the PEM public key tokens are verified with. */
export const JWT_VERIFICATION_KEY = Symbol('JWT_VERIFICATION_KEY');

/**
 * `JWT_PUBLIC_KEY` when set (a real issuer); otherwise the development key pair that
 * `npm run token` signs with, generated on first use. The app only ever holds a public key.
 */
export function jwtVerificationKey(config: AppConfig): string {
  if (config.jwt.publicKeyPem) return config.jwt.publicKeyPem;
  const keys = loadDevKeys(config.jwt.keysDir);
  new Logger('Auth').log(`Verifying tokens with the development key in ${keys.dir}`);
  return keys.publicKeyPem;
}
