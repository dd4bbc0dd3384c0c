// Flood and probe: does one subject's flood take authorization away from everyone else?
// The sample app (its own process, embedded database, a real OPA) takes a flood of one user's list
// route, GET /tasks as bob, from many connections for a bounded time, while a probe asks another
// user's point route, GET /tasks/t-2 as carol, at a modest fixed rate. Reports the probe's success
// rate and latency, the flood's statuses and the library's error counts from GET /metrics.
//
// Usage: npm run -s build && npm run -s build -w tasks-api && node bench/flood.mjs
//   [--seconds 10] [--connections 100] [--rate 20] [--rounds 1] [--label after] [--bulkhead]
// --bulkhead runs the sample with OPA_BULKHEAD=true (the library's opt-in bound on decisions in flight).
// Bounded: rounds x (1 s warm-up + seconds) of load, then everything it started is stopped.
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadDevKeys, signDevToken } from '../scripts/dev-keys.mjs';
import { ROOT, startOpa } from '../scripts/opa-server.mjs';
import { stats } from './support.mjs';

const APP_MODULE = join(ROOT, 'apps/tasks-api/dist/app.module.js');
const METRICS_MODULE = join(ROOT, 'apps/tasks-api/dist/metrics/metrics.server.js');

// ---- the app, in a child process so the flood's client does not share its event loop -------
if (process.argv[2] === '--serve') {
  const [, , , opaUrl, scratch] = process.argv;
  await import('reflect-metadata');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import(pathToFileURL(APP_MODULE).href);
  const app = await NestFactory.create(
    AppModule.forRoot({
      OPA_URL: opaUrl,
      DATA_DIR: join(scratch, 'data'),
      JWT_KEYS_DIR: join(scratch, 'keys'),
      METRICS_PORT: '0',
      OPA_BULKHEAD: process.env.OPA_BULKHEAD,
    }),
    { logger: process.env.FLOOD_LOG ? ['error', 'warn'] : false },
  );
  await app.listen(0, '127.0.0.1');
  const { MetricsServer } = await import(pathToFileURL(METRICS_MODULE).href);
  process.send({
    port: app.getHttpServer().address().port,
    metricsUrl: app.get(MetricsServer).url,
  });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '100' },
      rate: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '1' },
      label: { type: 'string', default: ROOT },
      bulkhead: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(args.seconds);
  const connections = Number(args.connections);
  const rate = Number(args.rate);
  if (!existsSync(APP_MODULE)) {
    console.error('Build first: npm run -s build && npm run -s build -w tasks-api');
    process.exit(2);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'tasks-api-flood-'));
  // The app reads only the public key: make the development pair before it starts.
  loadDevKeys(join(scratch, 'keys'));
  const opa = await startOpa();
  const child = fork(fileURLToPath(import.meta.url), ['--serve', opa.url, scratch], {
    stdio: 'inherit',
    env: { ...process.env, OPA_BULKHEAD: args.bulkhead ? 'true' : 'false' },
  });
  try {
    const { port, metricsUrl } = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const keysDir = join(scratch, 'keys');
    const flooder = await signDevToken('bob', { keysDir });
    const prober = await signDevToken('carol', { keysDir });
    for (let round = 1; round <= Number(args.rounds); round++) {
      await flood(base, flooder, 4, 1); // warm-up, not measured
      const before = await errorCounts(metricsUrl);
      const [probes, load] = await Promise.all([
        probe(base, prober, rate, seconds),
        flood(base, flooder, connections, seconds),
      ]);
      const after = await errorCounts(metricsUrl);
      report(args.label, round, { seconds, connections, rate }, probes, load, before, after);
    }
  } finally {
    child.disconnect();
    await new Promise((resolve) => child.once('exit', resolve));
    await opa.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `connections` clients asking bob's list, each as fast as answers come, for `seconds`. */
function flood(base, token, connections, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${base}/tasks?limit=10`,
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${token}` },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** carol's point route at a fixed rate (open loop: a slow answer does not delay the next ask). */
async function probe(base, token, rate, seconds) {
  const agent = new Agent({ keepAlive: true });
  const asks = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    asks.push(get(`${base}/tasks/t-2`, token, agent));
  }
  const results = await Promise.all(asks);
  agent.destroy();
  return results;
}

function get(url, token, agent) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

/** `opa_decision_errors_total` by kind, from the sample's metrics server (its own port). */
async function errorCounts(metricsUrl) {
  const text = await new Promise((resolve) => {
    const req = request(metricsUrl, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? body : ''));
    });
    req.on('error', () => resolve(''));
    req.end();
  });
  const counts = {};
  for (const [, kind, value] of text.matchAll(/^opa_decision_errors_total\{kind="(\w+)"\} (\d+)/gm))
    counts[kind] = Number(value);
  return counts;
}

function report(label, round, settings, probes, load, before, after) {
  const ok = probes.filter((p) => p.status === 200).length;
  const latency = stats(probes.map((p) => p.ms));
  const statuses = (list) =>
    list.reduce((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), /** @type {any} */ ({}));
  const floodStatuses = Object.fromEntries(
    Object.entries(load.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
  );
  const errors = Object.fromEntries(
    Object.entries(after)
      .map(([kind, n]) => [kind, n - (before[kind] ?? 0)])
      .filter(([, n]) => n > 0),
  );
  console.log(
    [
      `flood [${label}] round ${round}: ${settings.connections} connections on bob's GET /tasks for ` +
        `${settings.seconds} s, probe carol's GET /tasks/t-2 at ${settings.rate}/s`,
      `  probe: ${ok}/${probes.length} ok (${((100 * ok) / probes.length).toFixed(1)}%), ` +
        `p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms, ` +
        `statuses ${JSON.stringify(statuses(probes.map((p) => p.status)))}`,
      `  flood: ${load.requests.total} requests (${load.requests.average.toFixed(0)}/s), ` +
        `p99 ${load.latency.p99} ms, statuses ${JSON.stringify(floodStatuses)}, ` +
        `errors ${load.errors}, timeouts ${load.timeouts}`,
      `  library errors: ${JSON.stringify(errors)}`,
    ].join('\n'),
  );
}
