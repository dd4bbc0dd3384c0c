// List filtering on PostgreSQL with 100,000 tasks, in the sample's own code path:
//   A. what GET /tasks does: load the subject's roles and bindings, compile the policy into a filter
//      (one OPA call), run one keyset-paginated SQL query with it, decide the row actions in bulk;
//   B. the same with a hand-written WHERE instead of the compiled filter (no compile call);
//   C. the naive way: load every row and point-check each (timed on a sample, extrapolated).
// Usage: node bench/list-filter.mjs [rounds]   (needs PostgreSQL: bash scripts/postgres.sh install;
//        builds nothing: run `npm run build && npm run build -w tasks-api` first)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AuthzRepository, OpaService } from 'nestjs-opa';
import { DataSource } from 'typeorm';
import { AppModule } from '../apps/tasks-api/dist/app.module.js';
import { SEED_TASKS } from '../apps/tasks-api/dist/database/seed.js';
import { TaskActionsService } from '../apps/tasks-api/dist/tasks/task-actions.service.js';
import { TasksService } from '../apps/tasks-api/dist/tasks/tasks.service.js';
import { Task, taskAttributes } from '../apps/tasks-api/dist/tasks/task.entity.js';
import { loadDevKeys } from '../scripts/dev-keys.mjs';
import { ROOT, startOpa } from '../scripts/opa-server.mjs';
import { roundByRound, stats, time } from './support.mjs';

const rounds = Number(process.argv[2] ?? 40);
const TOTAL = 100_000;
const PAGE = 50;
const SAMPLE = 1_000;
const postgres = join(ROOT, 'scripts', 'postgres.sh');
// carol: viewer everywhere would see everything; take task:update, whose filter has conditions:
// her instance grant on t-2 and the tasks she created, minus archived ones.
const subject = { type: 'user', id: 'carol' };
const action = 'task:update';

const pgDir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
const databaseUrl = execFileSync('bash', [postgres, 'start', pgDir], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .pop();
const opa = await startOpa();
// The app reads only the public key: make the development pair before it starts.
loadDevKeys(join(pgDir, 'keys'));
let app;
try {
  app = await NestFactory.createApplicationContext(
    AppModule.forRoot({
      ...process.env,
      DATABASE_URL: databaseUrl,
      OPA_URL: opa.url,
      JWT_KEYS_DIR: join(pgDir, 'keys'),
      // The metrics server on any free port, never colliding with another app on 9464.
      METRICS_PORT: '0',
    }),
    { logger: ['error'] },
  );
  const dataSource = app.get(DataSource);
  // 100,000 tasks over 50 creators (all users) and three statuses, after the seed's t-1..t-4.
  await dataSource.query(
    `INSERT INTO tasks (id, title, status, created_by, created_by_type)
     SELECT 'b-' || lpad(g::text, 6, '0'), 'task ' || g,
            (ARRAY['open','done','archived'])[1 + g % 3],
            CASE WHEN g % 50 = 0 THEN 'carol' ELSE 'user-' || (g % 50) END, 'user'
     FROM generate_series(1, $1) g`,
    [TOTAL - SEED_TASKS.length],
  );
  await dataSource.query('CREATE INDEX IF NOT EXISTS tasks_created_by ON tasks (created_by)');
  await dataSource.query('ANALYZE tasks');

  const repository = app.get(AuthzRepository);
  const opaService = app.get(OpaService);
  const tasks = app.get(TasksService);
  const actions = app.get(TaskActionsService);
  const taskRepository = dataSource.getRepository(Task);

  const authorization = async () => {
    const context = await repository.loadContext(subject);
    return {
      subject: { ...subject, attributes: context.attributes },
      roles: context.roles,
      bindings: context.bindings,
    };
  };
  const compiledRows = async (authz) => {
    const filter = await opaService.compileFilter({ ...authz, action, resourceType: 'Task' });
    return (await tasks.findPage(filter, { limit: PAGE })).items;
  };
  const handWrittenRows = async () =>
    (
      await taskRepository
        .createQueryBuilder('task')
        .where(
          "((task.id = :id AND task.status <> 'archived') OR (task.createdBy = :me AND task.createdByType = :type AND task.status <> 'archived'))",
          { id: 't-2', me: subject.id, type: subject.type },
        )
        .orderBy('task.id', 'ASC')
        .limit(PAGE + 1)
        .getMany()
    ).slice(0, PAGE);
  const compiled = async () => {
    const authz = await authorization();
    return actions.withActions(await compiledRows(authz), authz);
  };
  const handWritten = async () => {
    const authz = await authorization();
    return actions.withActions(await handWrittenRows(), authz);
  };
  // The rows alone: the compile call plus the query, against the query alone.
  const compiledQuery = async () => compiledRows(await authorization());
  const handWrittenQuery = async () => (await authorization(), handWrittenRows());

  // Same rows both ways, or the comparison means nothing.
  const [a, b] = [await compiled(), await handWritten()];
  if (
    JSON.stringify(a.map((t) => t.id)) !== JSON.stringify(b.map((t) => t.id)) ||
    a.length !== PAGE
  ) {
    throw new Error('compiled filter and hand-written WHERE disagree');
  }
  for (let i = 0; i < 5; i++) await Promise.all([compiled(), handWritten()]);
  const samples = {
    compiled: [],
    handWritten: [],
    paired: [],
    compiledQuery: [],
    handWrittenQuery: [],
  };
  for (let round = 0; round < rounds; round++) {
    const pair = [(await time(compiled)).ms, (await time(handWritten)).ms];
    samples.compiled.push(pair[0]);
    samples.handWritten.push(pair[1]);
    samples.paired.push(pair[0] / pair[1]);
    samples.compiledQuery.push((await time(compiledQuery)).ms);
    samples.handWrittenQuery.push((await time(handWrittenQuery)).ms);
  }

  // C: load every row, then point-check a sample of them and extrapolate.
  const authz = await authorization();
  const { ms: loadMs, result: all } = await time(() => taskRepository.find());
  const sample = all.slice(0, SAMPLE);
  const { ms: checkMs } = await time(async () => {
    for (const task of sample) {
      await opaService.check({
        ...authz,
        action,
        resource: { type: 'Task', id: task.id, attributes: taskAttributes(task) },
      });
    }
  });
  const naiveMs = loadMs + (checkMs / SAMPLE) * all.length;

  const c = stats(samples.compiled);
  const h = stats(samples.handWritten);
  console.log(
    `GET /tasks work for ${subject.id} ${action}, ${all.length} tasks on PostgreSQL, page of ${PAGE}, ${rounds} rounds (ms):`,
  );
  console.log(
    `  compiled filter (1 compile call + 1 SQL query + 1 bulk call): p50 ${c.p50.toFixed(2)}  p99 ${c.p99.toFixed(2)}`,
  );
  console.log(
    `  hand-written WHERE (1 SQL query + 1 bulk call):              p50 ${h.p50.toFixed(2)}  p99 ${h.p99.toFixed(2)}`,
  );
  console.log(`  ratio compiled / hand-written: ${(c.p50 / h.p50).toFixed(2)}x (target <= 1.25x)`);
  console.log(`  ${roundByRound(samples.paired, 2)}`);
  const cq = stats(samples.compiledQuery);
  const hq = stats(samples.handWrittenQuery);
  console.log(
    `  rows only (repository + compile + query vs repository + query): p50 ${cq.p50.toFixed(2)} vs ${hq.p50.toFixed(2)} = ${(cq.p50 / hq.p50).toFixed(2)}x`,
  );
  console.log(
    `  naive: load ${all.length} rows ${loadMs.toFixed(0)} ms + ${all.length} point checks at ${(checkMs / SAMPLE).toFixed(3)} ms each (sampled over ${SAMPLE}) = ${(naiveMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  compiled filter is ${(naiveMs / c.p50).toFixed(0)}x faster than the naive way (target >= 100x)`,
  );
} finally {
  await app?.close();
  await opa.stop();
  execFileSync('bash', [postgres, 'stop', pgDir], { stdio: 'ignore' });
  rmSync(pgDir, { recursive: true, force: true });
}
