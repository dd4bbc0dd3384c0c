// One benchmark scenario as its own Nest (Express) application, started by bench/run.mjs.
// Usage: node bench/app.mjs <scenario> <opaUrl>   → sends { port } over IPC once it listens.
//
// Every scenario serves the same route, GET /tasks/:id, whose handler does the same in-memory
// "database read" of the task. They differ only in what stands in front of the handler.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { HttpModule } from '@nestjs/axios';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Param,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { OPAClient } from '@open-policy-agent/opa';
import axios from 'axios';
import { Pool } from 'undici';
import { Authorize, OpaModule, ResourceLoader, ResourceType } from 'nestjs-opa';
import { HttpServiceTransport } from 'nestjs-opa/axios';
import { carolBindings, seedRoles, wasmBundle } from './support.mjs';

// ---- the application's data, identical for every scenario ----------------------------------
const roles = seedRoles;
const bindings = [
  ...carolBindings,
  { subject: { type: 'user', id: 'erin' }, role: 'editor', scope: null },
];
const attributes = { carol: { banned: false }, erin: { banned: true } };
const tasks = new Map(
  Array.from({ length: 1000 }, (_, i) => [
    `t-${i}`,
    { title: `Task ${i}`, created_by: i % 7 === 0 ? 'carol' : 'bob', status: 'open' },
  ]),
);

/** The "database read" of one task: the handler and the resource loaders all use it. */
async function findTask(id) {
  return tasks.get(id);
}

/** Roles, bindings and attributes of a subject: the guards' "database read". */
async function loadContext(subject) {
  return {
    roles,
    bindings: bindings.filter(
      (b) => b.subject.type === subject.type && b.subject.id === subject.id,
    ),
    attributes: attributes[subject.id] ?? {},
  };
}

/** `x-subject: user:carol` stands in for Passport: it sets `request.user`. */
function userFromHeader(req, _res, next) {
  const header = req.headers['x-subject'];
  if (typeof header === 'string') {
    const [type, id] = header.split(':');
    if (type && id) req.user = { type, id };
  }
  next();
}

// ---- the route --------------------------------------------------------------------------
function tasksController(guarded) {
  class TasksController {
    async read(id) {
      const task = await findTask(id);
      if (!task) throw new NotFoundException();
      return { id, ...task };
    }
  }
  Param('id')(TasksController.prototype, 'read', 0);
  const descriptor = () => Object.getOwnPropertyDescriptor(TasksController.prototype, 'read');
  Get(':id')(TasksController.prototype, 'read', descriptor());
  if (guarded) Authorize('task:read')(TasksController.prototype, 'read', descriptor());
  ResourceType('Task')(TasksController);
  Controller('tasks')(TasksController);
  return TasksController;
}

// ---- nestjs-opa's pieces ----------------------------------------------------------------
class BenchAuthzRepository {
  loadContext(subject) {
    return loadContext(subject);
  }
}
Injectable()(BenchAuthzRepository);

class TaskLoader {
  async load(id) {
    const task = await findTask(id);
    return task && { created_by: task.created_by, status: task.status };
  }
}
ResourceLoader('Task')(TaskLoader);
Injectable()(TaskLoader);

// ---- the peers: hand-written guards, as an application would write them -------------------
/** Builds the same input our guard sends, then asks `ask(input)` for the decision document. */
function handWrittenGuard(ask) {
  return {
    async canActivate(context) {
      const req = context.switchToHttp().getRequest();
      const user = req.user;
      if (!user) throw new UnauthorizedException();
      const authz = await loadContext(user);
      const id = req.params.id;
      const task = await findTask(id);
      if (!task) throw new NotFoundException();
      const input = {
        subject: { type: user.type, id: user.id, attributes: { ...authz.attributes } },
        action: 'task:read',
        resource: { created_by: task.created_by, status: task.status, type: 'Task', id },
        roles: authz.roles,
        bindings: authz.bindings,
      };
      const decision = await ask(input);
      if (decision?.permit !== true) throw new ForbiddenException();
      return true;
    },
  };
}

function sdkGuard(opaUrl) {
  const client = new OPAClient(opaUrl);
  return handWrittenGuard((input) => client.evaluate('authz/decision', input));
}

function axiosNoKeepAliveGuard(opaUrl) {
  const url = `${opaUrl}/v1/data/authz/decision`;
  return handWrittenGuard(async (input) => {
    // The Python-tutorial pattern: one fresh HTTP request (and TCP connection) per decision.
    const response = await axios.post(
      url,
      { input },
      { httpAgent: new http.Agent({ keepAlive: false }), timeout: 2000 },
    );
    return response.data.result;
  });
}

function undiciBareGuard(opaUrl) {
  // The physical floor of an HTTP client: one keep-alive pool (as many connections as the
  // library's default), one POST per decision, no deadline, no retries, no checks on the answer.
  const pool = new Pool(opaUrl, { connections: 16 });
  return handWrittenGuard(async (input) => {
    const { body } = await pool.request({
      method: 'POST',
      path: '/v1/data/authz/decision',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    return (await body.json()).result;
  });
}

async function wasmBareGuard() {
  // The floor of an in-process guard: opa-wasm's loadPolicy once, then per decision the Wasm
  // ABI's one-call evaluation (opa_eval) with the input encoded straight into Wasm memory and
  // the answer parsed where it lies. No signature check, no deadline, no checks on the answer.
  const { loadPolicy } = await import('@open-policy-agent/opa-wasm');
  const policy = await loadPolicy(
    execFileSync('tar', ['-xzOf', wasmBundle().file, '/policy.wasm']),
  );
  const entrypoint = policy.entrypoints['authz/decision'];
  const { opa_eval: opaEval } = policy.wasmInstance.exports;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return handWrittenGuard(async (input) => {
    const at = policy.dataHeapPtr;
    const { written } = encoder.encodeInto(
      JSON.stringify(input),
      new Uint8Array(policy.mem.buffer, at),
    );
    const answer = opaEval(0, entrypoint, policy.dataAddr, at, written, at + written, 0);
    const memory = new Uint8Array(policy.mem.buffer);
    return JSON.parse(decoder.decode(memory.subarray(answer, memory.indexOf(0, answer))))[0]
      ?.result;
  });
}

// ---- one module per scenario ------------------------------------------------------------
/** The decision options every nestjs-opa scenario shares (see BENCHMARKS.md). */
function opaOptions(opaUrl, extra = {}) {
  return {
    url: opaUrl,
    repository: BenchAuthzRepository,
    timeout: 2000, // the default 500 ms turns a stall of a shared 2-core box into 503s
    auditLog: false,
    coalesce: false,
    ...extra,
  };
}

function scenarioModule(scenario, opaUrl) {
  const guarded = scenario !== 'ceiling' && scenario !== 'guard-floor';
  const metadata = { controllers: [tasksController(guarded)], imports: [], providers: [] };
  switch (scenario) {
    case 'ceiling':
      break;
    case 'guard-floor':
      // What Nest's guard pipeline costs before any guard does work: the floor under 2–7.
      metadata.providers.push({ provide: APP_GUARD, useValue: { canActivate: async () => true } });
      break;
    case 'undici':
      metadata.imports.push(OpaModule.forRoot(opaOptions(opaUrl)));
      break;
    case 'undici-coalesce':
      metadata.imports.push(OpaModule.forRoot(opaOptions(opaUrl, { coalesce: true })));
      break;
    case 'httpservice':
      metadata.imports.push(
        HttpModule,
        OpaModule.forRoot(opaOptions(opaUrl, { transport: HttpServiceTransport })),
      );
      break;
    case 'wasm':
      // Decisions in process from the signed Wasm bundle (built by bench/run.mjs); OPA idle.
      metadata.imports.push(
        OpaModule.forRoot(
          opaOptions(opaUrl, {
            engine: 'wasm',
            wasm: { bundle: { ...wasmBundle(), pollingInterval: 0 } },
          }),
        ),
      );
      break;
    case 'cache':
      metadata.imports.push(OpaModule.forRoot(opaOptions(opaUrl, { cache: { ttl: 60_000 } })));
      break;
    case 'sdk':
      metadata.providers.push({ provide: APP_GUARD, useFactory: () => sdkGuard(opaUrl) });
      break;
    case 'undici-bare':
      metadata.providers.push({ provide: APP_GUARD, useFactory: () => undiciBareGuard(opaUrl) });
      break;
    case 'wasm-bare':
      metadata.providers.push({ provide: APP_GUARD, useFactory: wasmBareGuard });
      break;
    case 'axios-nokeepalive':
      metadata.providers.push({
        provide: APP_GUARD,
        useFactory: () => axiosNoKeepAliveGuard(opaUrl),
      });
      break;
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
  if (metadata.imports.some((m) => m?.module === OpaModule)) metadata.providers.push(TaskLoader);
  class BenchAppModule {}
  Module(metadata)(BenchAppModule);
  return BenchAppModule;
}

async function startScenario(scenario, opaUrl) {
  const app = await NestFactory.create(scenarioModule(scenario, opaUrl), { logger: false });
  app.use(userFromHeader);
  await app.listen(0, '127.0.0.1');
  return { app, port: app.getHttpServer().address().port };
}

const [scenario, opaUrl] = process.argv.slice(2);
const { app, port } = await startScenario(scenario, opaUrl);
process.send?.({ port });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  process.exit(0); // also writes the --cpu-prof profile when one was asked for
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
