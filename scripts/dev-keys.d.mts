import type { KeyObject } from 'node:crypto';

export declare const JWT_ALGORITHM: 'ES256';
export declare const DEFAULT_JWT_ISSUER: string;
export declare const DEFAULT_JWT_AUDIENCE: string;
export declare const SUBJECT_TYPE_CLAIM: 'subject_type';
export declare const DEV_PUBLIC_KEY_FILE: 'jwt-es256.pub.pem';
export declare const SUBJECT_TYPES: readonly ['user', 'token'];
export declare function devKeysDir(env?: Record<string, string | undefined>): string;
export interface DevKeys {
  dir: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}
export declare function loadDevKeys(dir?: string): DevKeys;
export interface SignDevTokenOptions {
  type?: 'user' | 'token';
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  keysDir?: string;
}
export declare function signDevToken(
  subjectId: string,
  options?: SignDevTokenOptions,
): Promise<string>;
