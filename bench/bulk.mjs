// Bulk decisions: 100 rows x 3 actions in one checkMany call vs 300 sequential point checks.
// Usage: node bench/bulk.mjs [rounds]   (run `npm run build` first)
import { startOpa } from '../scripts/opa-server.mjs';
import {
  carol,
  carolBindings,
  createOpaService,
  roundByRound,
  seedRoles,
  stats,
  time,
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
} finally {
  await close();
  await server.stop();
}
