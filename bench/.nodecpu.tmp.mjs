import { startOpa } from '/work/main/scripts/opa-server.mjs';
import { carol, carolBindings, createOpaService, seedRoles } from '/work/main/bench/support.mjs';
const actions = ['task:read', 'task:update', 'task:delete'];
const items = Array.from({ length: 100 }, (_, i) => ({ id: `t-${i}`, attributes: { created_by: i % 7 === 0 ? 'carol' : 'bob', status: i % 5 === 0 ? 'archived' : 'open' } }))
  .flatMap((task) => actions.map((action) => ({ action, resource: { type: 'Task', ...task } })));
const request = { subject: carol, roles: seedRoles, bindings: carolBindings, items };
const server = await startOpa();
const { opa, close } = await createOpaService(server.url, JSON.parse(process.argv[2] ?? '{}'));
for (let i = 0; i < 50; i++) await opa.checkMany(request);
const n = 200; const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < n; i++) await opa.checkMany(request);
const wall = (performance.now() - t0) / n; const c = process.cpuUsage(c0);
console.log(`wall ${wall.toFixed(2)} ms/call, node cpu ${((c.user + c.system) / 1000 / n).toFixed(2)} ms/call`);
await close(); await server.stop();
