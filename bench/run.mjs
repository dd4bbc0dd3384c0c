// The benchmark suite: HTTP throughput and latency of one guarded route under every scenario,
// OPA alone, OpaService.check latency per transport, bench/bulk.mjs and bench/guard-hit.mjs,
// all in one run.
//
// Usage: node bench/run.mjs [--quick] [--profile] [--rounds N] [--duration S] [--connections N]
//   [--scenarios ceiling,wasm]   (only those scenarios and bulk.mjs; writes results/partial.*)
//   (`npm run bench` / `npm run bench:quick` build the library first)
//
// Writes bench/results/latest.json and regenerates bench/BENCHMARKS.md and bench/benchmarks.svg.
// --quick (the CI smoke) writes bench/results/quick.json, quick.md and quick.svg instead, and
// leaves the committed report alone. The exit code is non-zero only when a scenario errors (a
// wrong answer before measuring, a failed or non-2xx response while measuring, a script that
// throws), never because a target is missed.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { opaBinary, ROOT, startOpa } from '../scripts/opa-server.mjs';
import { cpuSeconds } from './cpu.mjs';
import { summarizeProfile } from './profile-top.mjs';
import { writeReport } from './report.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH, 'results');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    // Only these scenarios (comma-separated keys, e.g. ceiling,wasm) and bulk.mjs: a partial
    // run on a shared machine. Writes results/partial.{json,md,svg}; the report stays as it is.
    scenarios: { type: 'string' },
  },
});
const only = args.scenarios?.split(',').map((s) => s.trim());
const quick = args.quick;
const settings = {
  mode: quick ? 'quick' : 'full',
  connections: Number(args.connections ?? 10),
  durationSeconds: Number(args.duration ?? (quick ? 2 : 10)),
  warmupSeconds: quick ? 1 : 3,
  rounds: Number(args.rounds ?? (quick ? 1 : 5)),
  checkIterations: quick ? 300 : 3000,
  checkRounds: quick ? 1 : 3,
  bulkRounds: quick ? 3 : 30,
  guardHitCalls: quick ? 20_000 : 200_000,
  profile: args.profile,
};

/** The scenarios, in report order. `n` is the number in the issue. */
export const SCENARIOS = [
  { key: 'ceiling', n: '1', label: 'No guard (ceiling)' },
  { key: 'guard-floor', n: '1b', label: 'Floor: a global guard that only returns true' },
  { key: 'undici', n: '2', label: 'nestjs-opa guard, undici transport (default)' },
  { key: 'httpservice', n: '3', label: 'nestjs-opa guard, HttpService transport' },
  { key: 'cache', n: '4', label: 'nestjs-opa guard, decision cache (hit path)' },
  { key: 'sdk', n: '5', label: 'Peer: guard calling the OPA TypeScript SDK' },
  { key: 'undici-bare', n: '5b', label: 'Peer: hand-written guard, bare undici POST' },
  { key: 'axios-nokeepalive', n: '6', label: 'Tutorial pattern: axios per request, no keep-alive' },
  { key: 'undici-coalesce', n: '2b', label: 'nestjs-opa guard, undici, coalescing on (default)' },
  { key: 'wasm', n: '7', label: 'nestjs-opa guard, embedded Wasm engine (engine: wasm)' },
  { key: 'wasm-bare', n: '7b', label: 'Peer: hand-written guard, bare Wasm evaluation' },
  { key: 'opa', n: 'OPA', label: 'OPA alone (POST /v1/data/authz/decision)' },
];

// The decision every scenario makes: carol (viewer everywhere) reads task t-2.
const PERMITTED = 'user:carol';
const DENIED = ['user:erin', 'user:mallory']; // erin: banned (a custom deny); mallory: no binding
const ROUTE = '/tasks/t-2';
const decisionInput = (subjectId, attributes) => ({
  subject: { type: 'user', id: subjectId, attributes },
  action: 'task:read',
  resource: { created_by: 'bob', status: 'open', type: 'Task', id: 't-2' },
  roles: {
    viewer: { permissions: ['task:read', 'task:list'] },
    editor: { permissions: ['task:read', 'task:list', 'task:create', 'task:update'] },
    admin: { permissions: ['task:*'] },
  },
  bindings:
    subjectId === 'carol'
      ? [
          { subject: { type: 'user', id: 'carol' }, role: 'viewer', scope: null },
          {
            subject: { type: 'user', id: 'carol' },
            role: 'editor',
            scope: { type: 'Task', id: 't-2' },
          },
        ]
      : [],
});
const OPA_BODY = JSON.stringify({ input: decisionInput('carol', { banned: false }) });

const errors = [];
const fail = (message) => {
  errors.push(message);
  console.error(`ERROR: ${message}`);
};

// ---- helpers ------------------------------------------------------------------------------
function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
}

function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** OPA's count of answered POSTs to /v1/data: one per decision asked. */
async function opaDecisionCount(opaUrl) {
  const { body } = await request(`${opaUrl}/metrics`);
  const line = body
    .split('\n')
    .find((l) => l.startsWith('http_request_duration_seconds_count{code="200",handler="v1/data"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

function versionOf(pkg) {
  for (const base of [join(ROOT, 'packages/nestjs-opa/node_modules'), join(ROOT, 'node_modules')]) {
    try {
      return JSON.parse(readFileSync(join(base, pkg, 'package.json'), 'utf8')).version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

function environment() {
  const cpus = os.cpus();
  let opa = 'unknown';
  try {
    opa = /Version:\s*(\S+)/.exec(execFileSync(opaBinary(), ['version'], { encoding: 'utf8' }))[1];
  } catch {
    // reported as unknown
  }
  return {
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    versions: {
      node: process.version,
      opa,
      'nestjs-opa': JSON.parse(readFileSync(join(ROOT, 'packages/nestjs-opa/package.json'), 'utf8'))
        .version,
      '@nestjs/core': versionOf('@nestjs/core'),
      express: versionOf('express'),
      undici: versionOf('undici'),
      axios: versionOf('axios'),
      '@nestjs/axios': versionOf('@nestjs/axios'),
      '@open-policy-agent/opa': versionOf('@open-policy-agent/opa'),
      autocannon: versionOf('autocannon'),
    },
  };
}

// ---- the applications ---------------------------------------------------------------------
async function startApp(key, opaUrl) {
  const execArgv = settings.profile
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${join(RESULTS, 'profiles')}`,
        `--cpu-prof-name=${key}.cpuprofile`,
      ]
    : [];
  const child = fork(join(BENCH, 'app.mjs'), [key, opaUrl], { execArgv, stdio: 'inherit' });
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`app ${key} exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The answer must be right before the speed counts: 200 for carol, 403 for the others. */
async function verify(scenario, target, opaUrl) {
  const problems = [];
  if (scenario.key === 'opa') {
    const ask = async (subjectId, attributes) => {
      const res = await request(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: decisionInput(subjectId, attributes) }),
      });
      return res.status === 200 ? JSON.parse(res.body).result?.permit : `HTTP ${res.status}`;
    };
    if ((await ask('carol', { banned: false })) !== true) problems.push('carol is not permitted');
    if ((await ask('erin', { banned: true })) !== false) problems.push('erin is not denied');
    if ((await ask('mallory', {})) !== false) problems.push('mallory is not denied');
  } else {
    const get = (subject) => request(target.url + ROUTE, { headers: { 'x-subject': subject } });
    const permitted = await get(PERMITTED);
    if (permitted.status !== 200 || JSON.parse(permitted.body).id !== 't-2')
      problems.push(`carol got ${permitted.status}, expected 200 with task t-2`);
    // Neither the ceiling nor the floor decides anything: they let everyone through.
    if (scenario.key !== 'ceiling' && scenario.key !== 'guard-floor') {
      for (const subject of DENIED) {
        const denied = await get(subject);
        if (denied.status !== 403) problems.push(`${subject} got ${denied.status}, expected 403`);
      }
    }
  }
  // How many OPA decisions one permitted request costs (sequential, so no coalescing).
  const before = await opaDecisionCount(opaUrl);
  const n = 20;
  for (let i = 0; i < n; i++) {
    if (scenario.key === 'opa')
      await request(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: OPA_BODY,
      });
    else await request(target.url + ROUTE, { headers: { 'x-subject': PERMITTED } });
  }
  const perRequest = ((await opaDecisionCount(opaUrl)) - before) / n;
  const expected =
    { ceiling: 0, 'guard-floor': 0, cache: 0, wasm: 0, 'wasm-bare': 0 }[scenario.key] ?? 1;
  if (perRequest !== expected)
    problems.push(`${perRequest} OPA decisions per request, expected ${expected}`);
  for (const problem of problems) fail(`scenario ${scenario.n} (${scenario.key}): ${problem}`);
  return { ok: problems.length === 0, opaCallsPerRequest: perRequest };
}

// ---- load ---------------------------------------------------------------------------------
async function load(scenario, target, seconds, opaUrl, opaPid) {
  const options =
    scenario.key === 'opa'
      ? {
          url: target.url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: OPA_BODY,
        }
      : { url: target.url + ROUTE, headers: { 'x-subject': PERMITTED } };
  const latencies = [];
  const before = await opaDecisionCount(opaUrl);
  const cpuBefore = {
    app: target.pid ? cpuSeconds(target.pid) : null,
    opa: cpuSeconds(opaPid),
    loadgen: process.cpuUsage(),
  };
  const instance = autocannon({
    ...options,
    connections: settings.connections,
    duration: seconds,
    timeout: 10,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const loadgen = process.cpuUsage(cpuBefore.loadgen);
  const cpuAfter = { app: target.pid ? cpuSeconds(target.pid) : null, opa: cpuSeconds(opaPid) };
  const decisions = (await opaDecisionCount(opaUrl)) - before;
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  // CPU time per answered request, in microseconds, of each process on the box.
  const perRequest = (a, b) => (a == null || b == null || !ok ? null : ((b - a) * 1e6) / ok);
  return {
    reqPerSec: ok / result.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    opaCallsPerRequest: ok ? decisions / ok : null,
    cpuMicrosPerRequest: {
      app: perRequest(cpuBefore.app, cpuAfter.app),
      opa: perRequest(cpuBefore.opa, cpuAfter.opa),
      loadgen: ok ? (loadgen.user + loadgen.system) / ok : null,
    },
  };
}

// ---- OpaService.check alone ---------------------------------------------------------------
async function checkLatency(opaUrl) {
  const [{ UndiciTransport }, { HttpServiceTransport }, support, sdk, axios] = await Promise.all([
    import('nestjs-opa'),
    import('nestjs-opa/axios'),
    import('./support.mjs'),
    import('@open-policy-agent/opa'),
    import('axios'),
  ]);
  const checkRequest = {
    subject: support.carol,
    action: 'task:read',
    resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
    roles: support.seedRoles,
    bindings: support.carolBindings,
  };
  const input = decisionInput('carol', { banned: false });
  const clients = [
    {
      key: 'undici',
      label: 'OpaService.check, undici transport',
      open: () => support.createOpaService(opaUrl, { transport: UndiciTransport, coalesce: false }),
      call: (opa) => opa.check(checkRequest).then((d) => d.permit),
    },
    {
      key: 'httpservice',
      label: 'OpaService.check, HttpService transport',
      open: () =>
        support.createOpaService(opaUrl, { transport: HttpServiceTransport, coalesce: false }),
      call: (opa) => opa.check(checkRequest).then((d) => d.permit),
    },
    {
      key: 'sdk',
      label: 'OPA TypeScript SDK, OPAClient.evaluate',
      open: async () => ({ opa: new sdk.OPAClient(opaUrl), close: async () => {} }),
      call: (client) => client.evaluate('authz/decision', input).then((r) => r.permit),
    },
    {
      key: 'axios-nokeepalive',
      label: 'axios.post, no keep-alive',
      open: async () => ({ opa: null, close: async () => {} }),
      call: () =>
        axios.default
          .post(
            `${opaUrl}/v1/data/authz/decision`,
            { input },
            { httpAgent: new http.Agent({ keepAlive: false }) },
          )
          .then((r) => r.data.result.permit),
    },
  ];
  const rows = Object.fromEntries(clients.map((c) => [c.key, { ...c, rounds: [] }]));
  const iterations = settings.checkIterations;
  const warmup = Math.min(500, iterations);
  for (let round = 0; round < settings.checkRounds; round++) {
    for (const client of clients) {
      const { opa, close } = await client.open();
      try {
        for (let i = 0; i < warmup; i++) await client.call(opa);
        const samples = new Float64Array(iterations);
        for (let i = 0; i < iterations; i++) {
          const started = process.hrtime.bigint();
          const permit = await client.call(opa);
          samples[i] = Number(process.hrtime.bigint() - started) / 1e6;
          if (permit !== true) throw new Error(`${client.key}: expected a permit`);
        }
        samples.sort();
        const mean = samples.reduce((a, b) => a + b, 0) / iterations;
        rows[client.key].rounds.push({
          mean,
          p50: percentile(samples, 0.5),
          p99: percentile(samples, 0.99),
        });
      } finally {
        await close();
      }
    }
  }
  return Object.values(rows).map(({ key, label, rounds }) => ({
    key,
    label,
    iterations,
    rounds,
    median: {
      mean: median(rounds.map((r) => r.mean)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
    },
  }));
}

// ---- the stand-alone scripts -------------------------------------------------------------
/** Runs `bench/<script>` with `args` and returns what it printed; a failure throws. */
async function runScript(script, args) {
  const child = spawn(process.execPath, [join(BENCH, script), ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench/${script} exited with ${code}: ${stderr.trim()}`);
  return output.trim();
}

const numberIn = (output, re) => {
  const match = re.exec(output);
  return match ? Number(match[1]) : null;
};

async function bulk() {
  const output = await runScript('bulk.mjs', [settings.bulkRounds]);
  return {
    rounds: settings.bulkRounds,
    sequentialP50Ms: numberIn(output, /sequential OpaService\.check:\s*([\d.]+) ms/),
    sequentialP99Ms: numberIn(output, /sequential OpaService\.check:.*p99 ([\d.]+)/),
    bulkP50Ms: numberIn(output, /OpaService\.checkMany:\s*([\d.]+) ms/),
    bulkP99Ms: numberIn(output, /OpaService\.checkMany:.*p99 ([\d.]+)/),
    speedup: numberIn(output, /speed-up: ([\d.]+)x/),
    pairedSpeedup: numberIn(output, /round by round: ([\d.]+)x/),
    pairedP25: numberIn(output, /quartiles ([\d.]+)x/),
    pairedP75: numberIn(output, /quartiles [\d.]+x to ([\d.]+)x/),
    wasmP50Ms: numberIn(output, /embedded OpaService\.checkMany:\s*([\d.]+) ms/),
    wasmP99Ms: numberIn(output, /embedded OpaService\.checkMany:.*p99 ([\d.]+)/),
    wasmCpuMicros: numberIn(output, /embedded OpaService\.checkMany:.*CPU ([\d.]+) µs/),
    serverCpuMicros: numberIn(output, /1 OpaService\.checkMany:.*CPU ([\d.]+) µs/),
    serverOpaCpuMicros: numberIn(output, /1 OpaService\.checkMany:.*\+ ([\d.]+) µs OPA/),
    serverAltP50Ms: numberIn(output, /1 OpaService\.checkMany:\s*([\d.]+) ms[^\n]*CPU/),
    serverAltP99Ms: numberIn(output, /1 OpaService\.checkMany:[^\n]*p99 ([\d.]+)\)[^\n]*CPU/),
    wasmSpeedup: numberIn(output, /embedded vs OPA checkMany: ([\d.]+)x/),
    wasmPaired: numberIn(output, /embedded round by round: ([\d.]+)x/),
    largeQueries: numberIn(output, /embedded checkMany of (\d+) queries/),
    loopGapP50Ms: numberIn(output, /event loop waited p50 ([\d.]+) ms/),
    loopGapP99Ms: numberIn(output, /event loop waited .*p99 ([\d.]+) ms/),
    loopGapMaxMs: numberIn(output, /at most ([\d.]+) ms between turns/),
    output,
  };
}

async function guardHit() {
  const output = await runScript('guard-hit.mjs', [settings.guardHitCalls]);
  return {
    calls: settings.guardHitCalls,
    micros: numberIn(output, /cache hit: ([\d.]+) µs per call/),
    wasmMicros: numberIn(output, /in process \(Wasm\): ([\d.]+) µs per call/),
    output,
  };
}

// ---- targets ------------------------------------------------------------------------------
function targets(byKey, bulkResult) {
  const s = (key) => byKey[key]?.summary;
  const list = [];
  const add = (name, measured, met, detail) => list.push({ name, measured, met, detail });
  // The two targets every guard scenario can have against the ceiling (scenario 1).
  const keepsShare = (key, name, share) => {
    const { ratio } = s(key);
    add(
      `${name} keeps ≥ ${share * 100}% of scenario 1 throughput`,
      ratio,
      ratio >= share,
      `${(ratio * 100).toFixed(1)}%`,
    );
  };
  const addsAtMostP50 = (key, name, ms) => {
    const { addedP50 } = s(key);
    add(`${name} adds ≤ ${ms} ms at p50`, addedP50, addedP50 <= ms, `+${addedP50.toFixed(3)} ms`);
  };
  if (s('undici') && s('ceiling')) {
    keepsShare('undici', 'Scenario 2', 0.75);
    addsAtMostP50('undici', 'Scenario 2', 0.25);
  }
  if (s('undici') && s('sdk')) {
    const times = median(
      byKey.undici.rounds.map((r, i) => r.reqPerSec / byKey.sdk.rounds[i].reqPerSec),
    );
    add(
      'Scenario 2 makes ≥ 2× the decisions/s of scenario 5',
      times,
      times >= 2,
      `${times.toFixed(2)}×`,
    );
  }
  if (s('undici') && s('undici-bare') && s('ceiling')) {
    // App CPU each guard adds over the ceiling, round by round: the library's client against
    // the bare POST it is built on (issue 16). A bare delta at or below zero (noise) gives no ratio.
    const appCpu = (key, i) => byKey[key].rounds[i]?.cpuMicrosPerRequest.app ?? NaN;
    const added = (key) =>
      byKey.ceiling.rounds.map((_, i) => appCpu(key, i) - appCpu('ceiling', i));
    const library = added('undici');
    const bare = added('undici-bare');
    const times = median(library.map((d, i) => (bare[i] > 0 ? d / bare[i] : NaN)));
    const micros = (deltas) => {
      const m = median(deltas);
      return m == null ? '–' : `${m < 0 ? '−' : '+'}${Math.abs(Math.round(m))} µs`;
    };
    add(
      'Sidecar guard: library’s app CPU per decision ≤ 1.3× a bare undici POST (2 vs 5b)',
      times,
      times != null && times <= 1.3,
      `${times == null ? 'no ratio' : `${times.toFixed(2)}×`} (app CPU over scenario 1: ` +
        `${micros(library)} for 2, ${micros(bare)} for 5b)`,
    );
  }
  if (s('cache') && s('ceiling')) keepsShare('cache', 'Scenario 4', 0.95);
  if (s('wasm') && s('ceiling')) {
    keepsShare('wasm', 'Scenario 7 (embedded Wasm)', 0.8);
    addsAtMostP50('wasm', 'Scenario 7 (embedded Wasm)', 0.25);
  }
  if (bulkResult?.wasmSpeedup != null)
    add(
      'bulk.mjs: embedded checkMany ≥ 5× faster than checkMany through OPA',
      bulkResult.wasmSpeedup,
      bulkResult.wasmSpeedup >= 5,
      `${bulkResult.wasmSpeedup}×`,
    );
  if (bulkResult?.speedup != null)
    add(
      'bulk.mjs: checkMany ≥ 20× faster than 300 point checks',
      bulkResult.speedup,
      bulkResult.speedup >= 20,
      `${bulkResult.speedup}×`,
    );
  return list;
}

// ---- main ---------------------------------------------------------------------------------
async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const started = new Date();
  const env = environment();
  console.log(
    `nestjs-opa benchmarks (${settings.mode}): ${env.machine.cpu}, ${env.machine.cores} cores; ` +
      `${settings.rounds} round(s) × ${settings.durationSeconds}s per scenario, ` +
      `${settings.connections} connections`,
  );
  const opaServer = await startOpa();
  const targetsByKey = {};
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.key)).map((s) => ({
    ...s,
    rounds: [],
  }));
  // Built once here (development key), handed to the apps through the environment.
  if (scenarios.some((s) => s.key.startsWith('wasm'))) (await import('./support.mjs')).wasmBundle();
  try {
    for (const scenario of scenarios) {
      targetsByKey[scenario.key] =
        scenario.key === 'opa'
          ? { url: `${opaServer.url}/v1/data/authz/decision`, stop: async () => {} }
          : await startApp(scenario.key, opaServer.url);
    }
    console.log('verifying every scenario answers right (200 permitted, 403 denied)…');
    for (const scenario of scenarios) {
      scenario.verification = await verify(scenario, targetsByKey[scenario.key], opaServer.url);
    }
    const measured = scenarios.filter((s) => s.verification.ok);

    console.log(`warming up (${settings.warmupSeconds}s each)…`);
    for (const scenario of measured)
      await load(
        scenario,
        targetsByKey[scenario.key],
        settings.warmupSeconds,
        opaServer.url,
        opaServer.pid,
      );

    for (let round = 0; round < settings.rounds; round++) {
      // Rotate the order every round, so drift on a busy machine hits every scenario alike.
      const order = measured.map((_, i) => measured[(i + round) % measured.length]);
      for (const scenario of order) {
        const run = await load(
          scenario,
          targetsByKey[scenario.key],
          settings.durationSeconds,
          opaServer.url,
          opaServer.pid,
        );
        run.round = round;
        scenario.rounds[round] = run;
        if (run.errors || run.non2xx || run.timeouts)
          fail(
            `scenario ${scenario.n} (${scenario.key}) round ${round + 1}: ${run.errors} errors, ` +
              `${run.non2xx} non-2xx, ${run.timeouts} timeouts`,
          );
        console.log(
          `  round ${round + 1}/${settings.rounds} ${scenario.n.padEnd(3)} ${scenario.key.padEnd(18)} ` +
            `${run.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${run.p50?.toFixed(3)} ms  ` +
            `p99 ${run.p99?.toFixed(3)} ms  OPA calls/req ${run.opaCallsPerRequest?.toFixed(3)}  ` +
            `CPU µs/req app ${run.cpuMicrosPerRequest.app?.toFixed(0)} OPA ${run.cpuMicrosPerRequest.opa?.toFixed(0)} ` +
            `loadgen ${run.cpuMicrosPerRequest.loadgen?.toFixed(0)}`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(targetsByKey).map((t) => t.stop()));
  }

  // Medians over rounds; ratios and added latency per round (same round, minutes apart at most).
  const ceiling = scenarios.find((s) => s.key === 'ceiling');
  for (const scenario of scenarios) {
    const rounds = scenario.rounds.filter(Boolean);
    if (!rounds.length) continue;
    const pick = (k) => median(rounds.map((r) => r[k]));
    const perRound = (f) =>
      median(rounds.map((r) => (ceiling.rounds[r.round] ? f(r, ceiling.rounds[r.round]) : NaN)));
    scenario.summary = {
      reqPerSec: pick('reqPerSec'),
      p50: pick('p50'),
      p99: pick('p99'),
      opaCallsPerRequest: pick('opaCallsPerRequest'),
      cpuMicrosPerRequest: {
        app: median(rounds.map((r) => r.cpuMicrosPerRequest.app)),
        opa: median(rounds.map((r) => r.cpuMicrosPerRequest.opa)),
        loadgen: median(rounds.map((r) => r.cpuMicrosPerRequest.loadgen)),
      },
      ratio: perRound((r, c) => r.reqPerSec / c.reqPerSec),
      addedP50: perRound((r, c) => r.p50 - c.p50),
      addedP99: perRound((r, c) => r.p99 - c.p99),
    };
  }

  let check = [];
  if (only) await opaServer.stop();
  else
    try {
      console.log(`OpaService.check latency alone (${settings.checkIterations} sequential calls)…`);
      check = await checkLatency(opaServer.url);
      for (const row of check)
        console.log(
          `  ${row.label.padEnd(42)} mean ${row.median.mean.toFixed(3)}  p50 ${row.median.p50.toFixed(3)}  p99 ${row.median.p99.toFixed(3)} ms`,
        );
    } catch (error) {
      fail(`OpaService.check latency: ${error.message}`);
    } finally {
      await opaServer.stop();
    }

  let bulkResult = null;
  try {
    console.log(`bench/bulk.mjs ${settings.bulkRounds}…`);
    bulkResult = await bulk();
    console.log(bulkResult.output.replace(/^/gm, '  '));
  } catch (error) {
    fail(error.message);
  }

  let guardHitResult = null;
  if (!only)
    try {
      console.log(`bench/guard-hit.mjs ${settings.guardHitCalls}…`);
      guardHitResult = await guardHit();
      console.log(`  ${guardHitResult.output}`);
    } catch (error) {
      fail(error.message);
    }

  const byKey = Object.fromEntries(scenarios.map((s) => [s.key, s]));
  const results = {
    date: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    settings,
    ...env,
    scenarios: scenarios.map(({ key, n, label, verification, rounds, summary }) => ({
      key,
      n,
      label,
      verification,
      rounds,
      summary,
    })),
    check,
    bulk: bulkResult,
    guardHit: guardHitResult,
    targets: targets(byKey, bulkResult),
    errors,
  };

  const name = only ? 'partial' : quick ? 'quick' : 'latest';
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const written = await writeReport(
    results,
    quick || only
      ? {
          markdown: join(RESULTS, `${name}.md`),
          svg: join(RESULTS, `${name}.svg`),
          svgHref: `${name}.svg`,
        }
      : undefined,
  );
  console.log(`\nwrote ${join(RESULTS, `${name}.json`)}, ${written.join(', ')}`);
  for (const t of results.targets)
    console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.detail}`);

  if (settings.profile) {
    console.log('\nCPU profiles (top self time per app):');
    const dir = join(RESULTS, 'profiles');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()) {
      console.log(`  ${file}`);
      for (const line of summarizeProfile(join(dir, file), 12)) console.log(`    ${line}`);
    }
  }

  if (errors.length) {
    console.error(`\n${errors.length} scenario error(s):\n  ${errors.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
