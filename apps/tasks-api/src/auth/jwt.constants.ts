// The token contract between the sample and whoever issues its tokens. `scripts/dev-keys.mjs`
// signs development tokens to the same contract; test/jwt-keys.spec.ts keeps the two equal.

/** The one signature algorithm the app accepts (asymmetric, so the app only holds a public key). */
export const JWT_ALGORITHM = 'ES256';
export const DEFAULT_JWT_ISSUER = 'tasks-api-dev';
export const DEFAULT_JWT_AUDIENCE = 'tasks-api';
/** Claim telling user subjects (`user`) from API-token subjects (`token`). */
export const SUBJECT_TYPE_CLAIM = 'subject_type';
/** The public half of the development key pair, inside `JWT_KEYS_DIR`. */
export const DEV_PUBLIC_KEY_FILE = 'jwt-es256.pub.pem';
