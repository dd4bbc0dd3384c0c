// Mean latency of one OpaService.check against a local OPA, per transport.
// Usage: node bench/opa-check.mjs [iterations]   (builds nothing: run `npm run build` first)
import 'reflect-metadata';
import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpaModule, OpaService, UndiciTransport } from 'nestjs-opa';
import { HttpServiceTransport } from 'nestjs-opa/axios';
import { startOpa } from '../scripts/opa-server.mjs';

const iterations = Number(process.argv[2] ?? 2000);
const warmup = Math.min(500, iterations);

const request = {
  subject: { type: 'user', id: 'carol', attributes: { banned: false } },
  action: 'task:update',
  resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
  roles: {
    viewer: { permissions: ['task:read', 'task:list'] },
    editor: { permissions: ['task:read', 'task:list', 'task:create', 'task:update'] },
    admin: { permissions: ['task:*'] },
  },
  bindings: [
    { subject: { type: 'user', id: 'carol' }, role: 'viewer', scope: null },
    { subject: { type: 'user', id: 'carol' }, role: 'editor', scope: { type: 'Task', id: 't-2' } },
  ],
};

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { mean, p50: pick(0.5), p99: pick(0.99) };
}

async function measure(url, transport, extra = {}) {
  class BenchModule {}
  Module({
    imports: [
      HttpModule,
      OpaModule.forRoot({ url, transport, globalGuard: false, auditLog: false, ...extra }),
    ],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const opa = app.get(OpaService);
  for (let i = 0; i < warmup; i++) await opa.check(request);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    const decision = await opa.check(request);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!decision.permit) throw new Error('expected a permit');
  }
  await app.close();
  return stats(samples);
}

const opa = await startOpa();
try {
  const rows = [];
  // Interleave rounds so drift on a busy machine hits both transports alike.
  for (let round = 0; round < 3; round++) {
    for (const [name, transport, extra] of [
      ['undici', UndiciTransport, {}],
      ['HttpService (axios)', HttpServiceTransport, {}],
      // Every call after the first is a hit: the cost of the cache path itself.
      ['undici, cache hit', UndiciTransport, { cache: { ttl: 600_000 } }],
    ]) {
      rows.push({ transport: name, round, ...(await measure(opa.url, transport, extra)) });
    }
  }
  const byTransport = {};
  for (const row of rows) (byTransport[row.transport] ??= []).push(row);
  console.log(
    `OpaService.check, ${iterations} sequential calls per round, 3 rounds, median of rounds (ms):`,
  );
  for (const [name, list] of Object.entries(byTransport)) {
    const median = (key) => list.map((r) => r[key]).sort((a, b) => a - b)[1];
    console.log(
      `  ${name.padEnd(20)} mean ${median('mean').toFixed(3)}  p50 ${median('p50').toFixed(3)}  p99 ${median('p99').toFixed(3)}`,
    );
  }
} finally {
  await opa.stop();
}
