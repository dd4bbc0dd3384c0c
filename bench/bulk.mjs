// Bulk decisions: 100 rows x 3 actions in one checkMany call vs 300 sequential point checks,
// and the same checkMany answered in process by the embedded Wasm engine vs through OPA, and how
// long a large embedded batch holds the event loop at a time.
// Usage: node bench/bulk.mjs [rounds]   (run `npm run build` first)
import { startOpa } from '../scripts/opa-server.mjs';
import { cpuSeconds } from './cpu.mjs';
import {
  carol,
  carolBindings,
  createOpaService,
  roundByRound,
  seedRoles,
  stats,
  time,
  wasmBundle,
} from './support.mjs';

const rounds = Number(process.argv[2] ?? 30);
const actions = ['task:read', 'task:update', 'task:delete'];
const items = Array.from({ length: 100 }, (_, i) => ({
  id: `t-${i}`,
  attributes: {
    created_by: i % 7 === 0 ? 'carol' : 'bob',
    status: i % 5 === 0 ? 'archived' : 'open',
  },
})).flatMap((task) => actions.map((action) => ({ action, resource: { type: 'Task', ...task } })));
const request = { subject: carol, roles: seedRoles, bindings: carolBindings };

const server = await startOpa();
const { opa, close } = await createOpaService(server.url);
const embedded = await createOpaService(server.url, {
  engine: 'wasm',
  wasm: { bundle: { ...wasmBundle(), pollingInterval: 0 } },
});
try {
  const sequential = async () => {
    const permits = [];
    for (const item of items) permits.push((await opa.check({ ...request, ...item })).permit);
    return permits;
  };
  const bulk = async () => (await opa.checkMany({ ...request, items })).map((v) => v.permit);

  // Same answers first: a fast wrong answer is not a result.
  const [a, b] = [await sequential(), await bulk()];
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('bulk and point checks disagree');

  const samples = { sequential: [], bulk: [], paired: [] };
  for (let i = 0; i < 3; i++) await Promise.all([sequential(), bulk()]); // warm-up
  for (let round = 0; round < rounds; round++) {
    // Alternate so machine drift hits both alike. One bulk call is 1/20 as long as the loop
    // of point checks, so each round times it three times; the loop already averages 300.
    const loop = (await time(sequential)).ms;
    const calls = [];
    for (let i = 0; i < 3; i++) calls.push((await time(bulk)).ms);
    samples.sequential.push(loop);
    samples.bulk.push(...calls);
    samples.paired.push(loop / stats(calls).p50);
  }
  const s = stats(samples.sequential);
  const m = stats(samples.bulk);
  console.log(`${items.length} decisions (100 rows x 3 actions), ${rounds} rounds, medians:`);
  console.log(
    `  300 sequential OpaService.check: ${s.p50.toFixed(2)} ms (p99 ${s.p99.toFixed(2)})`,
  );
  console.log(
    `  1 OpaService.checkMany:          ${m.p50.toFixed(2)} ms (p99 ${m.p99.toFixed(2)})`,
  );
  console.log(`  speed-up: ${(s.p50 / m.p50).toFixed(1)}x (target >= 20x)`);
  console.log(`  ${roundByRound(samples.paired, 1)}`);

  // Embedded vs through OPA: same answers, then alternating calls, with CPU per call.
  const local = async () =>
    (await embedded.opa.checkMany({ ...request, items })).map((v) => v.permit);
  if (JSON.stringify(await local()) !== JSON.stringify(b))
    throw new Error('embedded and OPA checkMany disagree');
  for (let i = 0; i < 20; i++) await Promise.all([bulk(), local()]); // warm-up
  const pair = { server: [], local: [], paired: [] };
  const cpu = { server: { app: 0, opa: 0 }, local: { app: 0, opa: 0 } };
  const measure = async (fn, into) => {
    const app = process.cpuUsage();
    const opaBefore = cpuSeconds(server.pid);
    const ms = (await time(fn)).ms;
    const used = process.cpuUsage(app);
    into.app += used.user + used.system;
    into.opa += ((cpuSeconds(server.pid) ?? 0) - (opaBefore ?? 0)) * 1e6;
    return ms;
  };
  const calls = rounds * 10;
  for (let round = 0; round < calls; round++) {
    const viaOpa = await measure(bulk, cpu.server);
    const inProcess = await measure(local, cpu.local);
    pair.server.push(viaOpa);
    pair.local.push(inProcess);
    pair.paired.push(viaOpa / inProcess);
  }
  const o = stats(pair.server);
  const w = stats(pair.local);
  const perCall = (c) =>
    `CPU ${(c.app / calls).toFixed(0)} µs app + ${(c.opa / calls).toFixed(0)} µs OPA`;
  console.log(`  ${calls} alternating checkMany calls:`);
  console.log(
    `  1 OpaService.checkMany:          ${o.p50.toFixed(2)} ms (p99 ${o.p99.toFixed(2)}), ${perCall(cpu.server)}`,
  );
  console.log(
    `  embedded OpaService.checkMany:   ${w.p50.toFixed(2)} ms (p99 ${w.p99.toFixed(2)}), ${perCall(cpu.local)}`,
  );
  console.log(`  embedded vs OPA checkMany: ${(o.p50 / w.p50).toFixed(1)}x (target >= 5x)`);
  console.log(`  embedded ${roundByRound(pair.paired, 1)}`);
  // A large batch in process: the engine yields between chunks of bulkChunkSize (200). A ticker
  // on setImmediate gets a turn between chunks, so the longest gap between its turns is the
  // longest the event loop was held (the batch's own preparation and answer included).
  const large = Array.from({ length: 50 }, () => items).flat();
  const gaps = [];
  const batches = Math.max(3, Math.round(rounds / 3));
  for (let i = 0; i < 2; i++) await embedded.opa.checkMany({ ...request, items: large }); // warm-up
  for (let i = 0; i < batches; i++) {
    let last = performance.now();
    let running = true;
    const tick = () => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const verdicts = await embedded.opa.checkMany({ ...request, items: large });
    running = false;
    if (verdicts.length !== large.length) throw new Error('embedded checkMany lost verdicts');
  }
  const g = stats(gaps);
  console.log(
    `  embedded checkMany of ${large.length} queries, ${batches} calls: the event loop waited ` +
      `p50 ${g.p50.toFixed(2)} ms, p99 ${g.p99.toFixed(2)} ms, at most ${Math.max(...gaps).toFixed(2)} ms ` +
      `between turns (${gaps.length} turns)`,
  );
} finally {
  await embedded.close();
  await close();
  await server.stop();
}
