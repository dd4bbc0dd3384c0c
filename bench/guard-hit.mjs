// PolicyGuard alone, without HTTP: on a decision-cache hit (what the guard adds to a request once
// OPA's answer is cached, scenario 4) and deciding in process with the Wasm engine (scenario 7).
// Calls canActivate in a loop on a fake context.
// Usage: node bench/guard-hit.mjs [calls]   (run `npm run build` first)
import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Authorize, OpaModule, PolicyGuard, ResourceLoader, ResourceType } from 'nestjs-opa';
import { startOpa } from '../scripts/opa-server.mjs';
import { carol, carolBindings, seedRoles, stats, wasmBundle } from './support.mjs';

const calls = Number(process.argv[2] ?? 200_000);

class TasksController {
  read() {}
}
const read = () => Object.getOwnPropertyDescriptor(TasksController.prototype, 'read');
Get(':id')(TasksController.prototype, 'read', read());
Authorize('task:read')(TasksController.prototype, 'read', read());
ResourceType('Task')(TasksController);
Controller('tasks')(TasksController);

class Repository {
  async loadContext(subject) {
    return {
      roles: seedRoles,
      bindings: carolBindings,
      attributes: subject.id === 'carol' ? { banned: false } : {},
    };
  }
}
Injectable()(Repository);
class TaskLoader {
  async load() {
    return { created_by: 'bob', status: 'open' };
  }
}
ResourceLoader('Task')(TaskLoader);
Injectable()(TaskLoader);

const server = await startOpa();
try {
  const hit = await perCall({ cache: { ttl: 600_000 } });
  console.log(
    `PolicyGuard.canActivate on a cache hit: ${hit.toFixed(2)} µs per call (median of 4 rounds x ${calls})`,
  );
  const wasm = { engine: 'wasm', wasm: { bundle: { ...wasmBundle(), pollingInterval: 0 } } };
  const local = await perCall(wasm);
  console.log(
    `PolicyGuard.canActivate deciding in process (Wasm): ${local.toFixed(2)} µs per call (median of 4 rounds x ${calls})`,
  );
} finally {
  await server.stop();
}

/** Median µs per canActivate over 4 rounds (after one warm-up round) with these options. */
async function perCall(options) {
  class BenchModule {}
  Module({
    imports: [
      OpaModule.forRoot({ url: server.url, repository: Repository, auditLog: false, ...options }),
    ],
    providers: [TaskLoader],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  try {
    const guard = app.get(PolicyGuard);
    const response = { header() {} };
    const context = () =>
      new ExecutionContextHost(
        [{ params: { id: 't-2' }, user: { type: carol.type, id: carol.id } }, response],
        TasksController,
        TasksController.prototype.read,
      );
    if ((await guard.canActivate(context())) !== true) throw new Error('carol should be permitted');
    const rounds = [];
    for (let round = 0; round < 5; round++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await guard.canActivate(context());
      rounds.push(Number(process.hrtime.bigint() - started) / 1e3 / calls);
    }
    return stats(rounds.slice(1)).p50; // the first round warms up
  } finally {
    await app.close();
  }
}
