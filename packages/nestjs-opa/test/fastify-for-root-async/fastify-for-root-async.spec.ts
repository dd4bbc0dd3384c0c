import { describeGuardContract } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

describeGuardContract(
  'Fastify, forRootAsync with ConfigService, HttpService transport',
  () => createAppModule(process.env.OPA_URL!),
  'fastify',
);
