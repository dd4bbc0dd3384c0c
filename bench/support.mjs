// Shared by the benchmark scripts: summary statistics and a Nest context with OpaService.
import 'reflect-metadata';
import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { OpaModule, OpaService } from 'nestjs-opa';
import { buildBundle, devBundleKeys } from '../scripts/build-bundle.mjs';

/** Mean, quartiles (p25, p50, p75) and p99 of a list of numbers. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    mean,
    p25: pick(0.25),
    p50: pick(0.5),
    p75: pick(0.75),
    p99: pick(0.99),
    n: samples.length,
  };
}

/**
 * The median and quartiles of per-round ratios, one line bench/run.mjs reads back. The ratio
 * taken round by round holds when the machine's speed drifts between rounds.
 */
export function roundByRound(ratios, digits) {
  const r = stats(ratios);
  const x = (v) => `${v.toFixed(digits)}x`;
  return `round by round: ${x(r.p50)} median (quartiles ${x(r.p25)} to ${x(r.p75)})`;
}

/** Milliseconds taken by `fn`, once. */
export async function time(fn) {
  const started = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

/** An application context holding an OpaService for `url` with the given options. */
/**
 * The signed Wasm bundle of the embedded engine, built once with the development key:
 * `{ file, publicKey }` for `wasm.bundle`. Paths can be handed to a child in BENCH_WASM_*.
 */
export function wasmBundle() {
  if (process.env.BENCH_WASM_BUNDLE && process.env.BENCH_WASM_PUBLIC_KEY) {
    return {
      file: process.env.BENCH_WASM_BUNDLE,
      publicKey: readFileSync(process.env.BENCH_WASM_PUBLIC_KEY, 'utf8'),
    };
  }
  const { output } = buildBundle({ target: 'wasm' });
  process.env.BENCH_WASM_BUNDLE = output;
  process.env.BENCH_WASM_PUBLIC_KEY = devBundleKeys().publicKeyPath;
  return { file: output, publicKey: readFileSync(devBundleKeys().publicKeyPath, 'utf8') };
}

export async function createOpaService(url, options = {}) {
  class BenchModule {}
  Module({
    imports: [
      HttpModule,
      OpaModule.forRoot({ url, globalGuard: false, auditLog: false, ...options }),
    ],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  return { opa: app.get(OpaService), close: () => app.close() };
}

/** The sample's seed roles and carol's bindings (viewer everywhere, editor on t-2). */
export const seedRoles = {
  viewer: { permissions: ['task:read', 'task:list'] },
  editor: { permissions: ['task:read', 'task:list', 'task:create', 'task:update'] },
  admin: { permissions: ['task:*'] },
};
export const carol = { type: 'user', id: 'carol', attributes: { banned: false } };
export const carolBindings = [
  { subject: { type: 'user', id: 'carol' }, role: 'viewer', scope: null },
  { subject: { type: 'user', id: 'carol' }, role: 'editor', scope: { type: 'Task', id: 't-2' } },
];
