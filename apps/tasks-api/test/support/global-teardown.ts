import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../../scripts/opa-server.mjs';
import type { GlobalState } from './global-setup.js';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __TASKS_API__?: GlobalState }).__TASKS_API__;
  if (!state) return;
  try {
    if (state.postgresDir) {
      execFileSync('bash', [join(ROOT, 'scripts', 'postgres.sh'), 'stop', state.postgresDir], {
        stdio: 'inherit',
      });
    }
  } finally {
    await state.opa?.stop();
    rmSync(state.scratch, { recursive: true, force: true });
    if (state.postgresDir) rmSync(state.postgresDir, { recursive: true, force: true });
  }
}
