// Mean latency of one OpaService.check against a local OPA, per transport.
// Usage: node bench/opa-check.mjs [iterations]   (builds nothing: run `npm run build` first)
import { UndiciTransport } from 'nestjs-opa';
import { HttpServiceTransport } from 'nestjs-opa/axios';
import { startOpa } from '../scripts/opa-server.mjs';
import { carol, carolBindings, createOpaService, seedRoles, stats } from './support.mjs';

const iterations = Number(process.argv[2] ?? 2000);
const warmup = Math.min(500, iterations);

const request = {
  subject: carol,
  action: 'task:update',
  resource: { type: 'Task', id: 't-2', attributes: { created_by: 'bob', status: 'open' } },
  roles: seedRoles,
  bindings: carolBindings,
};

async function measure(url, transport, extra = {}) {
  const { opa, close } = await createOpaService(url, { transport, ...extra });
  for (let i = 0; i < warmup; i++) await opa.check(request);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    const decision = await opa.check(request);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!decision.permit) throw new Error('expected a permit');
  }
  await close();
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
