import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JWT_VERIFICATION_KEY, jwtVerificationKey } from './jwt-keys.js';
import { JwtStrategy } from './jwt.strategy.js';

/** Bearer-JWT authentication. The app module registers {@link JwtAuthGuard} globally. */
@Module({
  imports: [PassportModule],
  providers: [
    {
      provide: JWT_VERIFICATION_KEY,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        jwtVerificationKey(config.getOrThrow<AppConfig>(APP_CONFIG)),
    },
    JwtStrategy,
    JwtAuthGuard,
  ],
  exports: [JwtAuthGuard],
})
export class AuthModule {}
