import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { CheckManyRequest, Decision, DecisionInput } from '../authz.types.js';
import { DecisionCache } from '../decision.cache.js';
import { bulkQueries, subjectInput } from '../decision.input.js';
import { decisionKey } from '../decision.key.js';
import { parseBulkDecisions, parseDecision } from '../decision.parser.js';
import { OPA_RESOLVED_OPTIONS } from '../opa.constants.js';
import { OpaNotReadyError } from '../opa.errors.js';
import { OpaMessages } from '../opa.messages.js';
import { OPA_OBSERVERS, type BundleEvent, type OpaObserver } from '../opa-observer.interface.js';
import type { ResolvedOpaOptions, ResolvedWasmBundle } from '../opa.options.js';
import { readBundleArchive } from '../wasm/bundle.archive.js';
import { verifyBundle } from '../wasm/bundle.signature.js';
import type { WasmEngineStatus } from '../wasm/wasm-engine.options.js';
import { WasmPolicy } from '../wasm/wasm.policy.js';
import type { BulkDecision, DecisionEngine, DecisionNote } from './decision-engine.interface.js';
import { withDecisionId } from './opa-server.engine.js';

/**
 * The in-process engine of `engine: 'wasm'`: answers `decision` and `decisions` with the Wasm
 * build of the policy, from a signed bundle it loads from a file or pulls from a bundle server.
 * It has no `compileFilter` (Wasm cannot partially evaluate): `DecisionService` sends filters to
 * the OPA server at `url`. It mints no decision id: `DecisionService` does, as for a server
 * that does not log decisions.
 * A new bundle is verified and fully instantiated before one reference is swapped, so no
 * decision sees a half-loaded policy; a refused bundle keeps the last good one. Inert with the
 * default `engine: 'server'`.
 */
@Injectable()
export class WasmDecisionEngine implements DecisionEngine, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OpaWasm');
  private readonly bundle?: ResolvedWasmBundle;
  private readonly policyPath: string;
  private active?: WasmPolicy;
  private lastError?: string;
  private version?: string;
  private loading?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(OPA_RESOLVED_OPTIONS) private readonly options: ResolvedOpaOptions,
    @Inject(OPA_OBSERVERS) private readonly observers: OpaObserver[],
    private readonly cache: DecisionCache,
  ) {
    this.policyPath = options.policyPackage.replace(/\./g, '/');
    // Checked by resolveOpaOptions; set only with `engine: 'wasm'`, so inert otherwise.
    this.bundle = options.wasmBundle;
  }

  /** True when `engine: 'wasm'` is configured: decisions are answered here. */
  get enabled(): boolean {
    return this.bundle !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.bundle) return;
    // Startup waits for the first attempt, not for success: until a bundle is active,
    // decisions answer 503 and health is down (readiness false).
    await this.reload();
    this.schedule();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  status(): WasmEngineStatus {
    return {
      ready: this.active !== undefined,
      ...(this.active ? { revision: this.active.revision } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * The raw value of the `decision` or `decisions` rule for one input (JSON text), as OPA's
   * `result` would hold it; throws `OpaNotReadyError` before a bundle is active.
   */
  evaluate(rule: 'decision' | 'decisions', input: string): unknown {
    const policy = this.policy();
    return rule === 'decision' ? policy.decision(input) : policy.decisions(input);
  }

  /**
   * The `decision` rule, in process; a partial answer is a denial (the server's parser). The id
   * is minted here so a cached answer keeps the id its audit line and its 403 carried.
   */
  async decide(input: DecisionInput, note: DecisionNote): Promise<Decision> {
    const serialized = JSON.stringify(input);
    // The opt-in decision cache, as with the server engine (emptied when a bundle activates).
    const key = this.cache.enabled ? decisionKey(input, serialized) : undefined;
    const cached = key === undefined ? undefined : this.cache.get(key);
    if (key !== undefined) note.cache = cached ? 'hit' : 'miss';
    if (cached) {
      note.source = 'cache';
      return cached;
    }
    note.source = 'wasm';
    const decision = withDecisionId(
      parseDecision({ result: this.evaluate('decision', serialized) }),
    );
    if (key !== undefined) this.cache.set(key, decision);
    return decision;
  }

  /**
   * The `decisions` rule, one evaluation per chunk, yielding to the event loop between chunks,
   * so a batch of any size holds the loop one chunk at a time (measured by bench/bulk.mjs). A
   * missing verdict is a denial.
   */
  async decideMany(request: CheckManyRequest, note: DecisionNote): Promise<BulkDecision> {
    note.source = 'wasm';
    // One policy for the whole batch: a bundle activated between two chunks waits for the next
    // batch, so no batch is answered partly by one revision and partly by another.
    const policy = this.policy();
    const { subject, roles, bindings, items } = request;
    const subjectDocument = subjectInput(subject);
    const permits: boolean[] = [];
    for (let i = 0; i < items.length; i += this.options.bulkChunkSize) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const chunk = items.slice(i, i + this.options.bulkChunkSize);
      const { resources, queries } = bulkQueries(chunk);
      const body = JSON.stringify({
        subject: subjectDocument,
        roles,
        bindings,
        resources,
        queries,
      });
      permits.push(...parseBulkDecisions({ result: policy.decisions(body) }, chunk.length));
    }
    return { permits };
  }

  /**
   * Checks the file or URL now and activates a new bundle if there is one. Resolves when done;
   * never rejects (a failure is kept in {@link status} and told to the observers).
   */
  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private policy(): WasmPolicy {
    const policy = this.active;
    if (!policy) throw new OpaNotReadyError(OpaMessages.wasmNotReady);
    return policy;
  }

  private schedule(): void {
    const interval = this.bundle!.pollingInterval;
    if (this.stopped || interval <= 0) return;
    this.timer = setTimeout(() => void this.reload().then(() => this.schedule()), interval);
    this.timer.unref();
  }

  private async load(): Promise<void> {
    let fetched: { archive: Buffer; version: string } | undefined;
    try {
      fetched = await this.fetch();
    } catch (error) {
      this.fail('unreachable', `bundle not fetched: ${describe(error)}`);
      return;
    }
    if (!fetched) return;
    let policy: WasmPolicy;
    try {
      const files = verifyBundle(readBundleArchive(fetched.archive, this.bundle!.maxBytes), {
        publicKey: this.bundle!.publicKey,
        keyId: this.bundle!.keyId,
      });
      policy = await WasmPolicy.load(files, this.policyPath);
    } catch (error) {
      // Remember the refused version: it is not retried until the source changes.
      this.version = fetched.version;
      this.fail('rejected', `bundle refused: ${describe(error)}`);
      return;
    }
    if (this.stopped) return;
    this.active = policy;
    this.version = fetched.version;
    this.lastError = undefined;
    // Cached answers came from the previous policy.
    this.cache.invalidateAll();
    this.logger.log(`Activated policy bundle revision "${policy.revision}"`);
    this.emit({ outcome: 'activated', revision: policy.revision });
  }

  /** The bundle's bytes and a version tag, or `undefined` when unchanged since the last load. */
  private async fetch(): Promise<{ archive: Buffer; version: string } | undefined> {
    const { file, url, maxBytes, timeout, headers } = this.bundle!;
    if (file !== undefined) {
      const { mtimeMs, size } = await stat(file);
      const version = `${mtimeMs}:${size}`;
      if (version === this.version) return undefined;
      if (size > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
      return { archive: await readFile(file), version };
    }
    const response = await fetch(url!, {
      headers: {
        ...headers,
        ...(this.version && !this.version.startsWith('sha256:')
          ? { 'if-none-match': this.version }
          : {}),
      },
      signal: AbortSignal.timeout(timeout),
      redirect: 'error',
    });
    if (response.status === 304) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`the bundle server answered HTTP ${response.status}`);
    }
    const archive = await readLimited(response, maxBytes);
    // Without an ETag every poll downloads; the content hash still avoids re-activating it.
    const version =
      response.headers.get('etag') ??
      `sha256:${createHash('sha256').update(archive).digest('hex')}`;
    return version === this.version ? undefined : { archive, version };
  }

  private fail(outcome: 'rejected' | 'unreachable', reason: string): void {
    this.lastError = reason;
    const keeping = this.active ? ` (keeping revision "${this.active.revision}")` : '';
    this.logger.error(`${reason}${keeping}`);
    this.emit({ outcome, reason, revision: this.active?.revision });
  }

  private emit(event: BundleEvent): void {
    for (const observer of this.observers) {
      try {
        observer.onBundle?.(event);
      } catch {
        // An observer must never change what is active.
      }
    }
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += (chunk as Uint8Array).length;
    if (total > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}
