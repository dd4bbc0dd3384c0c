// Starts the project's pinned OPA on 127.0.0.1 with the engine (policies/) and the sample's own
// rules (apps/tasks-api/policies/), for tests, `npm run opa` and `npm start`. One implementation,
// so every place runs OPA the same way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The generic engine: the source of the copy the library ships (packages/nestjs-opa/policies). */
export const POLICIES_DIR = join(ROOT, 'policies');
/** The sample's own rules (package authz.custom), which extend the engine. */
export const SAMPLE_POLICIES_DIR = join(ROOT, 'apps', 'tasks-api', 'policies');
/** What the sample and the project's tests run on: the engine plus the sample's rules. */
export const DEFAULT_POLICIES = [POLICIES_DIR, SAMPLE_POLICIES_DIR];

/** The pinned OPA binary: $OPA_BIN, or .tools/bin/opa (made by `npm run tools`). */
export function opaBinary() {
  const candidate = process.env.OPA_BIN || join(ROOT, '.tools', 'bin', 'opa');
  if (!existsSync(candidate)) {
    throw new Error(
      `OPA not found at ${candidate}. Run \`npm run tools\` (needs Go) or set OPA_BIN to an opa binary.`,
    );
  }
  return candidate;
}

/** Builds the pinned OPA (scripts/install-tools.sh) on first use, unless OPA_BIN names one. */
export function ensureOpaInstalled() {
  if (process.env.OPA_BIN || existsSync(join(ROOT, '.tools', 'bin', 'opa'))) return;
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-tools.sh')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('the pinned OPA could not be installed (see above)');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** GET `${url}/health` with the probe's token and TLS settings; resolves to the status code. */
function probeHealth(url, probe) {
  return new Promise((resolveStatus, reject) => {
    const target = new URL('/health', url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        headers: probe.token ? { authorization: `Bearer ${probe.token}` } : {},
        timeout: 1000,
        agent: false,
        ...(target.protocol === 'https:' ? { ca: probe.ca, cert: probe.cert, key: probe.key } : {}),
      },
      (res) => {
        res.resume();
        resolveStatus(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('health probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilHealthy(url, probe, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`OPA exited with code ${child.exitCode} while starting`);
    try {
      if ((await probeHealth(url, probe)) === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`OPA did not become healthy at ${url} within ${deadlineMs} ms`);
}

/**
 * Starts OPA and resolves once `/health` answers 200.
 * With TLS flags in `args` (`--tls-cert-file`...), pass `scheme: 'https'` and the CA (and, for
 * `--authentication=tls`, a client certificate) in `probe`; `probe.token` is sent as a bearer token
 * for an authorization policy that does not let `/health` through. `env` is added to OPA's
 * environment (e.g. `OPA_AUTH_TOKEN` for policies/system/authz).
 * @param {{ port?: number, host?: string, args?: string[], policies?: string[], logFile?: string,
 *   decisionLogs?: boolean, foreground?: boolean, scheme?: 'http' | 'https',
 *   env?: Record<string, string | undefined>,
 *   probe?: { token?: string, ca?: string, cert?: string, key?: string } }} [options]
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export async function startOpa(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const output = options.foreground
    ? 'inherit'
    : options.logFile
      ? openSync(options.logFile, 'a')
      : 'ignore';
  const args = [
    'run',
    '--server',
    '--addr',
    `${host}:${port}`,
    '--log-level',
    'error',
    '--ignore',
    '*_test.rego',
    '--set',
    `decision_logs.console=${options.decisionLogs ? 'true' : 'false'}`,
    ...(options.args ?? []),
    ...(options.policies ?? DEFAULT_POLICIES),
  ];
  const child = spawn(opaBinary(), args, {
    stdio: ['ignore', output, output],
    env: { ...process.env, ...options.env },
  });
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  const url = `${options.scheme ?? 'http'}://${host}:${port}`;
  const stop = () =>
    new Promise((resolveStop) => {
      process.removeListener('exit', stopOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      child.once('exit', () => resolveStop());
      child.kill('SIGTERM');
    });
  try {
    await waitUntilHealthy(url, options.probe ?? {}, child, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, stop };
}
