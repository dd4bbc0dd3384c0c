import { WASM_HOST_BUILTINS } from './host-builtins.js';

/** The part of opa-wasm's `LoadedPolicy` used here (its types stay out of the public API). */
interface LoadedPolicy {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  wasmInstance: { exports: Record<string, unknown> };
  entrypoints: Record<string, number>;
  /** The ABI's minor version: 2 and later have the one-call `opa_eval`. */
  minorVersion: number;
  /** Where `setData` put the data document, and the heap's start after it. */
  dataAddr: number;
  dataHeapPtr: number;
  setData(data: object | ArrayBuffer): void;
}

/** ABI 1.2's one-call evaluation: input JSON in memory, the address of the result's JSON out. */
type OpaEval = (
  reserved: 0,
  entrypoint: number,
  data: number,
  input: number,
  inputLength: number,
  heap: number,
  format: 0,
) => number;

interface OpaWasmSdk {
  loadPolicy(wasm: Uint8Array): Promise<LoadedPolicy>;
}

let sdk: Promise<OpaWasmSdk> | undefined;

/** Loads the optional peer on first use, so the main entry works without it installed. */
function loadSdk(): Promise<OpaWasmSdk> {
  sdk ??= import('@open-policy-agent/opa-wasm').then(
    (module) => module as unknown as OpaWasmSdk,
    (error: unknown) => {
      sdk = undefined;
      throw new Error(
        "engine 'wasm' needs the optional peer dependency @open-policy-agent/opa-wasm: npm install @open-policy-agent/opa-wasm",
        { cause: error },
      );
    },
  );
  return sdk;
}

/**
 * One loaded, ready policy: the Wasm instance of a verified bundle with its `data.json` set.
 * Immutable once built; a new bundle builds a new one.
 */
export class WasmPolicy {
  private readonly opaEval: OpaEval;
  private bytes: Uint8Array;

  private constructor(
    private readonly policy: LoadedPolicy,
    private readonly decisionEntrypoint: number,
    private readonly decisionsEntrypoint: number,
    /** The bundle's `.manifest` revision, `''` when it has none. */
    readonly revision: string,
  ) {
    this.opaEval = policy.wasmInstance.exports.opa_eval as OpaEval;
    this.bytes = new Uint8Array(policy.mem.buffer);
  }

  /**
   * Builds a policy from a verified bundle's files. Throws with the reason when the module is
   * missing or broken, needs a host built-in the SDK lacks, or lacks the decision entrypoints.
   */
  static async load(files: ReadonlyMap<string, Buffer>, policyPath: string): Promise<WasmPolicy> {
    const wasm = files.get('policy.wasm');
    if (!wasm) throw new Error('the bundle has no policy.wasm (build it with `opa build -t wasm`)');
    const { loadPolicy } = await loadSdk();
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(wasm);
    } catch (error) {
      throw new Error(`policy.wasm does not load: ${describe(error)}`, { cause: error });
    }
    if (!(policy.minorVersion >= 2) || typeof policy.wasmInstance.exports.opa_eval !== 'function') {
      throw new Error(
        'policy.wasm is built for an older Wasm ABI (before 1.2): rebuild it with OPA 0.34 or later',
      );
    }
    const missing = Object.keys(hostBuiltins(policy)).filter((b) => !WASM_HOST_BUILTINS.has(b));
    if (missing.length > 0) {
      throw new Error(
        `policy.wasm needs built-in function(s) the Wasm engine cannot run: ${missing.join(', ')}`,
      );
    }
    const entrypoint = (name: string) => {
      const id = policy.entrypoints[`${policyPath}/${name}`];
      if (id === undefined) throw new Error(`policy.wasm has no entrypoint ${policyPath}/${name}`);
      return id;
    };
    const data = files.get('data.json');
    try {
      // Data from the bundle, as OPA would load it; the engine itself needs none (input only).
      policy.setData(data ? (JSON.parse(data.toString('utf8')) as object) : {});
    } catch (error) {
      throw new Error(`data.json does not load: ${describe(error)}`, { cause: error });
    }
    const manifest = files.get('.manifest');
    const revision = manifest ? readRevision(manifest) : '';
    return new WasmPolicy(policy, entrypoint('decision'), entrypoint('decisions'), revision);
  }

  /** The `decision` rule's value for one input (a JSON text), `undefined` when undefined. */
  decision(input: string): unknown {
    return this.first(input, this.decisionEntrypoint);
  }

  /** The `decisions` rule's value for one bulk input (a JSON text). */
  decisions(input: string): unknown {
    return this.first(input, this.decisionsEntrypoint);
  }

  private first(input: string, entrypoint: number): unknown {
    let results: unknown;
    try {
      results = JSON.parse(this.evaluate(input, entrypoint));
    } catch (error) {
      // opa-wasm throws strings and plain objects as well as Errors.
      throw new Error(`Wasm evaluation failed: ${describe(error)}`, { cause: error });
    }
    return Array.isArray(results)
      ? (results[0] as { result?: unknown } | undefined)?.result
      : undefined;
  }

  /**
   * What opa-wasm's `evaluate` does on ABI 1.2, without its copies: the input is encoded
   * straight into Wasm memory above the data, and the answer's JSON is decoded where it lies.
   * `opa_eval` resets the heap to just above the input, so each evaluation reuses the space.
   */
  private evaluate(input: string, entrypoint: number): string {
    const { dataAddr, dataHeapPtr: inputAddress } = this.policy;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that, so the input is never cut.
    const shortfall = inputAddress + input.length * 3 - this.memory().byteLength;
    if (shortfall > 0) this.policy.mem.grow(Math.ceil(shortfall / WASM_PAGE));
    const { written } = encoder.encodeInto(input, this.memory().subarray(inputAddress));
    const address = this.opaEval(
      0,
      entrypoint,
      dataAddr,
      inputAddress,
      written,
      inputAddress + written,
      0,
    );
    return textAt(this.memory(), address); // memory() again: the evaluation may have grown it.
  }

  /** A view of the whole memory, made anew only after it grew (growing detaches the old one). */
  private memory(): Uint8Array {
    if (this.bytes.buffer !== this.policy.mem.buffer)
      this.bytes = new Uint8Array(this.policy.mem.buffer);
    return this.bytes;
  }
}

const WASM_PAGE = 65_536;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The host built-ins a module calls, read from its `builtins` export as opa-wasm does. */
function hostBuiltins(policy: LoadedPolicy): Record<string, number> {
  const exports = policy.wasmInstance.exports as Record<string, (...args: number[]) => number>;
  const address = exports.opa_json_dump!(exports.builtins!());
  return JSON.parse(textAt(new Uint8Array(policy.mem.buffer), address)) as Record<string, number>;
}

/** The NUL-terminated UTF-8 text the module wrote at `address`, decoded where it lies. */
function textAt(memory: Uint8Array, address: number): string {
  return decoder.decode(memory.subarray(address, memory.indexOf(0, address)));
}

function readRevision(manifest: Buffer): string {
  try {
    const revision = (JSON.parse(manifest.toString('utf8')) as { revision?: unknown }).revision;
    return typeof revision === 'string' ? revision : '';
  } catch {
    throw new Error('.manifest is not valid JSON');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
