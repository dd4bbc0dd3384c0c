// `npm start`: builds the library and the sample, starts the pinned OPA with the engine and the sample's rules unless
// OPA_URL points at one, then runs the sample app in the foreground. Ctrl-C stops both.
// `AUTHZ_ENGINE=wasm npm start` also builds the signed Wasm bundle (development key) and has the
// app decide in process; OPA then only compiles list filters.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildBundle, devBundleKeys } from './build-bundle.mjs';
import { devKeysDir, loadDevKeys } from './dev-keys.mjs';
import { ensureOpaInstalled, ROOT, startOpa } from './opa-server.mjs';

function build(args) {
  const result = spawnSync('npm', ['run', '-s', ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function waitForApp(url, child) {
  for (let attempt = 0; attempt < 300 && child.exitCode === null; attempt++) {
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}

console.error('Building nestjs-opa and tasks-api...');
build(['build']);
build(['build', '-w', 'tasks-api']);

const env = { ...process.env };
// The embedded database lives at the repository root, whatever directory npm was started from.
env.DATA_DIR = resolve(ROOT, env.DATA_DIR || '.data');
mkdirSync(env.DATA_DIR, { recursive: true });
// The app only reads the public key: create the development pair now, where `npm run token` finds it.
env.JWT_KEYS_DIR = loadDevKeys(devKeysDir(env)).dir;

if (env.AUTHZ_ENGINE === 'wasm' && !env.AUTHZ_WASM_BUNDLE_FILE && !env.AUTHZ_WASM_BUNDLE_URL) {
  try {
    ensureOpaInstalled();
    const { output } = buildBundle({ target: 'wasm' });
    env.AUTHZ_WASM_BUNDLE_FILE = output;
    env.AUTHZ_WASM_PUBLIC_KEY_FILE ||= devBundleKeys().publicKeyPath;
  } catch (error) {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
  console.error(`Deciding in process with ${env.AUTHZ_WASM_BUNDLE_FILE} (development key)`);
}

let opa;
if (!env.OPA_URL) {
  const logFile = join(env.DATA_DIR, 'opa.log');
  try {
    ensureOpaInstalled();
    opa = await startOpa({ decisionLogs: true, logFile });
  } catch (error) {
    // One line saying what to do, not a stack trace.
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
  env.OPA_URL = opa.url;
  console.error(
    `Started OPA with policies/ and apps/tasks-api/policies/ at ${opa.url} (decision log: ${logFile})`,
  );
} else {
  console.error(`Using OPA at ${env.OPA_URL}`);
}

const app = spawn(process.execPath, [join(ROOT, 'apps/tasks-api/dist/main.js')], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await opa?.stop();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (app.exitCode === null) app.kill(signal);
    else void shutdown(0);
  });
}
app.on('exit', (code, signal) => void shutdown(code ?? (signal ? 0 : 1)));

const url = `http://${env.HOST || '127.0.0.1'}:${env.PORT || 3000}`;
if (await waitForApp(url, app)) {
  console.error(`
tasks-api is ready at ${url}. Try:

  TOKEN=$(npm run -s token -- alice)            # or bob, carol, dave, erin; --type token for ci-bot
  curl -s -H "Authorization: Bearer $TOKEN" ${url}/tasks
  curl -s -H "Authorization: Bearer $TOKEN" ${url}/tasks/t-1
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"title":"Try nestjs-opa"}' ${url}/tasks
  curl -s ${url}/health
`);
}
