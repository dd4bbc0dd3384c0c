import { readFileSync } from 'node:fs';
import { OPA_DEFAULTS } from './opa.defaults.js';
import { resolveOpaOptions } from './opa.options.js';

/** `name -> @default text` of each documented field of one interface in the options file. */
function documentedDefaults(
  interfaceName: string,
  file = './opa-module-options.interface.ts',
): Map<string, string> {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  const start = source.indexOf(`export interface ${interfaceName} {`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const defaults = new Map<string, string>();
  for (const [, doc, name] of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
    const value = /@default (.+)/.exec(doc!)?.[1];
    if (value) defaults.set(name!, value.replace(/\s*\*\/?$/, '').trim());
  }
  return defaults;
}

/** A default that is another option's value, written as that option's name. */
class OptionRef {
  constructor(readonly name: string) {}
}

/** The JSDoc text of a value: `'authz'`, `500`, `{ a: 1, b: 2 }`, `connections`. */
function asJsDoc(value: unknown): string {
  if (value instanceof OptionRef) return value.name;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null)
    return `{ ${Object.entries(value)
      .map(([key, field]) => `${key}: ${asJsDoc(field)}`)
      .join(', ')} }`;
  return String(value);
}

// `maxConcurrent` follows `connections` unless set.
const bulkhead = { maxConcurrent: new OptionRef('connections'), ...OPA_DEFAULTS.bulkheadEntry };

describe('OPA_DEFAULTS', () => {
  it.each([
    ['OpaModuleOptions', OPA_DEFAULTS, undefined],
    ['OpaBulkheadOptions', bulkhead, undefined],
    ['OpaRetryOptions', OPA_DEFAULTS.retry, undefined],
    ['OpaCircuitBreakerOptions', OPA_DEFAULTS.circuitBreaker, undefined],
    ['DecisionCacheOptions', OPA_DEFAULTS.cacheEntry, undefined],
    ['WasmBundleOptions', OPA_DEFAULTS.wasmBundle, './wasm/wasm-engine.options.ts'],
  ])('matches every @default written in %s', (name, defaults, file) => {
    const documented = documentedDefaults(name, file);
    expect(documented.size).toBeGreaterThan(1);
    for (const [field, text] of documented) {
      // `1048576 (1 MiB)`, `connections (16)`: the value is what counts, the rest explains it.
      expect(`${field} = ${text.replace(/ \([^)]*\)/g, '')}`).toBe(
        `${field} = ${asJsDoc((defaults as Record<string, unknown>)[field])}`,
      );
    }
  });

  it('is what resolveOpaOptions applies when nothing is set', () => {
    const { cacheEntry, idParam, url, bulkheadEntry, wasmBundle, ...applied } = OPA_DEFAULTS;
    expect(cacheEntry.max).toBe(10_000);
    expect(idParam).toBe('id');
    expect(resolveOpaOptions({})).toMatchObject({ ...applied, url, bulkhead: false });
    expect(resolveOpaOptions({ cache: {} }).cache).toEqual(cacheEntry);
    expect(resolveOpaOptions({ bulkhead: {} }).bulkhead).toEqual({
      ...bulkheadEntry,
      maxConcurrent: OPA_DEFAULTS.connections,
    });
    const bundle = { file: 'b.tar.gz', publicKey: 'PEM', timeout: undefined };
    expect(resolveOpaOptions({ engine: 'wasm', wasm: { bundle } }).wasmBundle).toEqual({
      ...wasmBundle,
      headers: {},
      file: 'b.tar.gz',
      publicKey: 'PEM',
    });
    expect(resolveOpaOptions({ retry: { maxAttempts: 5, maxDelay: undefined } }).retry).toEqual({
      ...OPA_DEFAULTS.retry,
      maxAttempts: 5,
    });
  });
});
