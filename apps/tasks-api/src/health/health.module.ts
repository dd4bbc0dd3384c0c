import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OpaHealthIndicator } from 'nestjs-opa/terminus';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [OpaHealthIndicator],
})
export class HealthModule {}
