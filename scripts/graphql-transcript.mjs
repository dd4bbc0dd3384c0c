// Prints a GraphQL transcript of the sample (an allowed query, a denied field with partial data,
// a denied mutation) and how many decision calls OPA served for a list query asking `auditLog`
// on 50 tasks, read off OPA's own Prometheus counter. Builds the library and the sample first.
// Usage: node scripts/graphql-transcript.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeysDir, loadDevKeys, signDevToken } from './dev-keys.mjs';
import { freePort, ROOT, startOpa } from './opa-server.mjs';

for (const args of [['build'], ['build', '-w', 'tasks-api']]) {
  const result = spawnSync('npm', ['run', '-s', ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'graphql-transcript-'));
const opa = await startOpa({ decisionLogs: true });
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
// The app reads only the public key: make the development pair before it starts.
const keysDir = loadDevKeys(devKeysDir()).dir;
const app = spawn(process.execPath, [join(ROOT, 'apps/tasks-api/dist/main.js')], {
  cwd: ROOT,
  env: {
    ...process.env,
    OPA_URL: opa.url,
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_KEYS_DIR: keysDir,
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

try {
  await waitFor(`${url}/health`);
  const alice = await signDevToken('alice');
  const bob = await signDevToken('bob');
  const dave = await signDevToken('dave');

  await show('Allowed mutation: bob (editor on Task) renames t-2', bob, {
    query: 'mutation { updateTask(id: "t-2", title: "Review the policies again") { id title } }',
  });
  await show('Allowed: alice (global admin) reads t-2 with its actions and audit log', alice, {
    query: '{ task(id: "t-2") { id title status actions auditLog } }',
  });
  await show('Denied field, partial data: bob (editor on Task) lists tasks with auditLog', bob, {
    query: '{ tasks { items { id status actions auditLog } } }',
  });
  await show('Denied mutation: dave (no binding) renames t-1', dave, {
    query: 'mutation { updateTask(id: "t-1", title: "Renamed by dave") { id title } }',
  });

  // More tasks, created through the API: 50 in all, one page of `tasks`.
  const seeded = (await graphql(alice, { query: '{ tasks { items { id } } }' })).data.tasks.items;
  for (let i = seeded.length; i < 50; i++) {
    await graphql(alice, {
      query: 'mutation($t: String!) { createTask(title: $t) { id } }',
      variables: { t: `Bulk ${i}` },
    });
  }
  const count = async (query) => {
    const before = await opaDataCalls();
    const body = await graphql(alice, { query });
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return { tasks: body.data.tasks.items.length, calls: (await opaDataCalls()) - before };
  };
  const plain = await count('{ tasks { items { id actions } } }');
  const audited = await count('{ tasks { items { id actions auditLog } } }');
  console.log('## OPA decision calls (v1/data, from OPA /metrics) for a list query, as alice');
  console.log(
    `{ tasks { items { id actions } } }           ${plain.tasks} tasks: ${plain.calls} call(s)`,
  );
  console.log(
    `{ tasks { items { id actions auditLog } } }  ${audited.tasks} tasks: ${audited.calls} call(s)`,
  );
  console.log(
    `auditLog on ${audited.tasks} tasks added ${audited.calls - plain.calls} OPA call(s)`,
  );
} finally {
  app.kill('SIGTERM');
  await opa.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function graphql(token, body) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

async function show(title, token, body) {
  console.log(`## ${title}\n> ${body.query}\n< ${JSON.stringify(await graphql(token, body))}\n`);
}

async function opaDataCalls() {
  const text = await (await fetch(`${opa.url}/metrics`)).text();
  return [...text.matchAll(/^http_request_duration_seconds_count\{([^}]*)\} (\d+)/gm)]
    .filter(([, labels]) => labels.includes('handler="v1/data"'))
    .reduce((total, [, , value]) => total + Number(value), 0);
}

async function waitFor(target) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (app.exitCode !== null) throw new Error('tasks-api exited');
    try {
      await fetch(target, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('tasks-api did not start');
}
