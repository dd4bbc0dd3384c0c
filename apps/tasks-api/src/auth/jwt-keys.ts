import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app.config.js';
import { DEV_PUBLIC_KEY_FILE } from './jwt.constants.js';

/** Injection token of the PEM public key tokens are verified with. */
export const JWT_VERIFICATION_KEY = Symbol('JWT_VERIFICATION_KEY');

/**
 * `JWT_PUBLIC_KEY` when set (a real issuer); otherwise the public half of the development key
 * pair in `JWT_KEYS_DIR`. The app never creates keys (`npm start` and `npm run token` do), and
 * only ever holds a public key: no key means no start, with a message saying what to do.
 */
export function jwtVerificationKey(config: AppConfig): string {
  if (config.jwt.publicKeyPem) return config.jwt.publicKeyPem;
  const file = join(config.jwt.keysDir, DEV_PUBLIC_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `No JWT verification key: set JWT_PUBLIC_KEY, or create the development keys in ` +
        `${config.jwt.keysDir} with \`npm run -s token -- <id>\` (npm start does it for you)`,
      { cause: error },
    );
  }
  new Logger('Auth').log(`Verifying tokens with the development key in ${config.jwt.keysDir}`);
  return pem;
}
