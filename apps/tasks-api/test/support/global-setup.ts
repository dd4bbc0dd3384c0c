import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevKeys } from '../../../../scripts/dev-keys.mjs';
import { ROOT, startOpa, type RunningOpa } from '../../../../scripts/opa-server.mjs';

/** Shared with the teardown, which runs in the same process. */
export interface GlobalState {
  scratch: string;
  opa?: RunningOpa;
  postgresDir?: string;
}

const POSTGRES_SCRIPT = join(ROOT, 'scripts', 'postgres.sh');

/**
 * One OPA (decision logs on) and, when PostgreSQL is installed, one throwaway cluster, both on
 * free 127.0.0.1 ports. Development keys go to a scratch directory, never to the repo's `.dev-keys`.
 */
export default async function globalSetup(): Promise<void> {
  const state: GlobalState = { scratch: mkdtempSync(join(tmpdir(), 'tasks-api-test-')) };
  (globalThis as { __TASKS_API__?: GlobalState }).__TASKS_API__ = state;
  process.env.TASKS_API_TEST_SCRATCH = state.scratch;
  process.env.JWT_KEYS_DIR = join(state.scratch, 'keys');
  // As `npm start` does: the app reads the public key, it never creates one.
  loadDevKeys(process.env.JWT_KEYS_DIR);

  state.opa = await startOpa({ decisionLogs: true, logFile: join(state.scratch, 'opa.log') });
  process.env.TASKS_API_TEST_OPA_URL = state.opa.url;
  try {
    startPostgres(state);
  } catch (error) {
    // Jest skips the teardown when the setup fails: clean up here.
    await state.opa.stop();
    rmSync(state.scratch, { recursive: true, force: true });
    throw error;
  }
}

function startPostgres(state: GlobalState): void {
  if (spawnSync('bash', [POSTGRES_SCRIPT, 'bindir'], { stdio: 'ignore' }).status === 0) {
    // Its own directory right under the temp dir: as root the cluster belongs to `postgres`, which
    // cannot enter our private scratch directory.
    state.postgresDir = mkdtempSync(join(tmpdir(), 'tasks-api-pg-'));
    const output = execFileSync('bash', [POSTGRES_SCRIPT, 'start', state.postgresDir], {
      encoding: 'utf8',
    });
    process.env.TASKS_API_TEST_POSTGRES_URL = output.trim().split('\n').pop();
  } else if (process.env.REQUIRE_POSTGRES === '1') {
    throw new Error(
      'REQUIRE_POSTGRES=1 but no PostgreSQL binaries were found: run `bash scripts/postgres.sh install`',
    );
  } else {
    console.warn(
      '\n\n*** PostgreSQL not found: the tasks-api end-to-end suite runs on the embedded ' +
        'database ONLY. Install it with `bash scripts/postgres.sh install` (CI sets ' +
        'REQUIRE_POSTGRES=1 to make this an error). ***\n',
    );
  }
}
