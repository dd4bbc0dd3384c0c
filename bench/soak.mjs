// Soak test: minutes of steady load on the sample app (in this process, against a real OPA),
// sampling the heap after a forced GC, then the linear trend of memory over time and a verdict.
//
// Usage: npm run soak                       (builds, then 3 minutes)
//        SOAK_SECONDS=600 npm run soak      (or run `node --expose-gc bench/soak.mjs` after a build)
// Environment: SOAK_SECONDS (180), SOAK_WARMUP_SECONDS (20, left out of the trend),
//   SOAK_SAMPLE_SECONDS (5), SOAK_CONCURRENCY (8), SOAK_MAX_KIB_PER_MIN (256, the verdict's bound
//   on the heap's growth), SOAK_CREATE=0 (no create-and-delete pairs, so no new task ids),
//   DATABASE_URL (soak on PostgreSQL rather than the embedded database).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDevKeys, signDevToken } from '../scripts/dev-keys.mjs';
import { ROOT, startOpa } from '../scripts/opa-server.mjs';

const seconds = Number(process.env.SOAK_SECONDS || 180);
const warmup = Number(process.env.SOAK_WARMUP_SECONDS || 20);
const every = Number(process.env.SOAK_SAMPLE_SECONDS || 5);
const concurrency = Number(process.env.SOAK_CONCURRENCY || 8);
const maxKibPerMin = Number(process.env.SOAK_MAX_KIB_PER_MIN || 256);
/** SOAK_CREATE=0 leaves out the create-and-delete pairs (new task ids), to tell growth apart. */
const create = process.env.SOAK_CREATE !== '0';

if (typeof globalThis.gc !== 'function') {
  console.error('Run with node --expose-gc (npm run soak does), so samples are taken after a GC.');
  process.exit(2);
}
const appModule = join(ROOT, 'apps/tasks-api/dist/app.module.js');
if (!existsSync(appModule)) {
  console.error('Build first: npm run build && npm run build -w tasks-api (npm run soak does).');
  process.exit(2);
}
const { AppModule } = await import(pathToFileURL(appModule).href);

const scratch = mkdtempSync(join(tmpdir(), 'tasks-api-soak-'));
// The app reads only the public key: make the development pair before it starts.
loadDevKeys(join(scratch, 'keys'));
const opa = await startOpa();
const app = await NestFactory.create(
  AppModule.forRoot({
    OPA_URL: opa.url,
    // DATABASE_URL=postgres://... soaks on PostgreSQL instead of the embedded database.
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL }
      : { DATA_DIR: join(scratch, 'data') }),
    JWT_KEYS_DIR: join(scratch, 'keys'),
    // The metrics server on any free port, never colliding with another app on 9464.
    METRICS_PORT: '0',
  }),
  { logger: ['error', 'warn'] },
);
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

const subjects = [
  ['alice', 'user'],
  ['bob', 'user'],
  ['carol', 'user'],
  ['dave', 'user'],
  ['erin', 'user'],
  ['mallory', 'user'],
  ['ci-bot', 'token'],
];
const tokens = Object.fromEntries(
  await Promise.all(
    subjects.map(async ([id, type]) => [
      `${type}:${id}`,
      await signDevToken(id, { type, keysDir: join(scratch, 'keys') }),
    ]),
  ),
);
const tasks = ['t-1', 't-2', 't-3', 't-4'];
const statusOf = { 't-1': 'open', 't-2': 'open', 't-3': 'open', 't-4': 'archived' };
const any = (list) => list[Math.floor(Math.random() * list.length)];

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
function send(method, path, token, body) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks) }));
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

// A steady mix, allowed and denied; writes leave the data as they found it.
const counts = {};
let total = 0;
async function one() {
  const token = tokens[any(Object.keys(tokens))];
  const task = any(tasks);
  const roll = Math.random();
  let results;
  if (roll < 0.4) results = [await send('GET', `/tasks/${task}`, token)];
  else if (roll < 0.6) results = [await send('GET', '/tasks?limit=10', token)];
  else if (roll < 0.75)
    results = [await send('PATCH', `/tasks/${task}`, token, { status: statusOf[task] })];
  else if (roll < 0.9 || !create)
    results = [await send('DELETE', '/tasks/t-4', token)]; // archived: always 403
  else {
    // Created and deleted again by alice (admin), so the table does not grow.
    const created = await send('POST', '/tasks', tokens['user:alice'], { title: 'soak' });
    results = [created];
    if (created.status === 201) {
      const { id } = JSON.parse(created.text.toString());
      results.push(await send('DELETE', `/tasks/${id}`, tokens['user:alice']));
    }
  }
  for (const { status } of results) {
    counts[status] = (counts[status] ?? 0) + 1;
    total++;
  }
}

const sampleMemory = () => {
  globalThis.gc();
  const { heapUsed, rss, external } = process.memoryUsage();
  return { heapUsed, rss, external };
};

/** Least-squares slope (per minute) and R² of y over t (seconds). */
function trend(points, key) {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p[key], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.t - mt) * (p[key] - my);
    sxx += (p.t - mt) ** 2;
    syy += (p[key] - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { perMinute: slope * 60, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
console.log(
  `soak: ${seconds} s of load (${concurrency} concurrent clients) on tasks-api at 127.0.0.1:${port}, ` +
    `OPA at ${opa.url}; heap sampled after GC every ${every} s, trend after ${warmup} s of warm-up`,
);

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
let running = true;
const workers = Array.from({ length: concurrency }, async () => {
  while (running) await one();
});
const samples = [];
let lastTotal = 0;
try {
  while (elapsed() < seconds) {
    await new Promise((resolve) => setTimeout(resolve, every * 1000));
    const memory = sampleMemory();
    const t = elapsed();
    samples.push({ t, ...memory });
    const rate = (total - lastTotal) / every;
    lastTotal = total;
    console.log(
      `  ${t.toFixed(0).padStart(4)} s  heap ${mib(memory.heapUsed)}  rss ${mib(memory.rss)}  ` +
        `external ${mib(memory.external)}  ${rate.toFixed(0)} req/s`,
    );
  }
} finally {
  running = false;
  await Promise.all(workers);
  agent.destroy();
  await app.close();
  await opa.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const steady = samples.filter((s) => s.t >= warmup);
const heap = trend(steady, 'heapUsed');
// A leak grows steadily; warm-up (JIT, caches filling) slows down. Compare the two halves.
const halves = [
  steady.slice(0, Math.ceil(steady.length / 2)),
  steady.slice(Math.floor(steady.length / 2)),
].map((half) => trend(half, 'heapUsed'));
const rss = trend(steady, 'rss');
const first = steady[0];
const last = steady.at(-1);
const unexpected = Object.entries(counts)
  .filter(([status]) => !['200', '201', '204', '403'].includes(status))
  .reduce((a, [, n]) => a + n, 0);
// Growing over the whole run AND still growing in its second half: a warm-up that levels off passes.
const leaking = heap.perMinute > maxKibPerMin * 1024 && halves[1].perMinute > maxKibPerMin * 1024;
console.log(
  [
    `requests: ${total} in ${elapsed().toFixed(0)} s (${(total / elapsed()).toFixed(0)} req/s), ` +
      `statuses ${JSON.stringify(counts)}, unexpected ${unexpected}`,
    `heap after GC: ${mib(first.heapUsed)} at ${first.t.toFixed(0)} s -> ${mib(last.heapUsed)} at ` +
      `${last.t.toFixed(0)} s; trend ${(heap.perMinute / 1024).toFixed(1)} KiB/min (R² ${heap.r2.toFixed(2)})`,
    `heap trend by half: ${halves.map((h) => `${(h.perMinute / 1024).toFixed(1)} KiB/min`).join(' then ')}`,
    `rss: ${mib(first.rss)} -> ${mib(last.rss)}; trend ${(rss.perMinute / 1024).toFixed(1)} KiB/min ` +
      `(R² ${rss.r2.toFixed(2)})`,
    `verdict: ${
      leaking
        ? `HEAP GROWING faster than ${maxKibPerMin} KiB/min, still in the second half: possible leak`
        : heap.perMinute > maxKibPerMin * 1024
          ? `stable: early growth levelling off (second half under ${maxKibPerMin} KiB/min)`
          : `stable (heap trend under ${maxKibPerMin} KiB/min)`
    }${unexpected ? `; ${unexpected} unexpected responses` : ''}`,
  ].join('\n'),
);
process.exitCode = leaking || unexpected ? 1 : 0;
