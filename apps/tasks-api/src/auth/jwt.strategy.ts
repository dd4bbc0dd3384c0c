import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import type { AuthenticatedSubject } from './authenticated-subject.js';
import { JWT_VERIFICATION_KEY } from './jwt-keys.js';
import { JWT_ALGORITHM, SUBJECT_TYPE_CLAIM } from './jwt.constants.js';

/** The claims this app relies on, once the signature, issuer and audience are verified. */
interface JwtClaims {
  sub?: unknown;
  exp?: unknown;
  [SUBJECT_TYPE_CLAIM]?: unknown;
}

/**
 * Verifies `Authorization: Bearer <JWT>` (and nothing else: never a query string or cookie) with
 * one pinned asymmetric algorithm, so neither `alg: none` nor an HMAC signed with the public key
 * can pass. Issuer, audience and expiry are checked by the verifier; tokens without `exp` are
 * refused here, as the verifier would accept them forever.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(JWT_VERIFICATION_KEY) publicKeyPem: string, config: ConfigService) {
    const { jwt } = config.getOrThrow<AppConfig>(APP_CONFIG);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: publicKeyPem,
      algorithms: [JWT_ALGORITHM],
      issuer: jwt.issuer,
      audience: jwt.audience,
      ignoreExpiration: false,
    });
  }

  /** Turns verified claims into the subject; `null` (a 401) when a required claim is wrong. */
  validate(claims: JwtClaims): AuthenticatedSubject | null {
    const { sub, exp } = claims;
    const type = claims[SUBJECT_TYPE_CLAIM];
    if (typeof exp !== 'number') return null;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) return null;
    if (type !== 'user' && type !== 'token') return null;
    return { type, id: sub };
  }
}
