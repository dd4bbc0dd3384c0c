import { describeGuardContract } from '../support/guard-scenario.js';
import { createAppModule } from './app.module.js';

describeGuardContract(
  'Express, forRoot, undici transport',
  () => createAppModule(process.env.OPA_URL!),
  'express',
);
