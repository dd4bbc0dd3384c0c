import type { OpaModuleOptions } from './opa-module-options.interface.js';
import { resolveOpaOptions, resolveResilience } from './opa.options.js';

describe('resolveOpaOptions', () => {
  it('applies the defaults', () => {
    expect(resolveOpaOptions({})).toMatchObject({
      url: 'http://127.0.0.1:8181',
      policyPackage: 'authz',
      timeout: 500,
      headers: {},
      maxResourceIdLength: 256,
    });
  });

  it('has a server unless the Wasm engine is given no url', () => {
    const bundle = { file: 'b.tar.gz', publicKey: 'PEM' };
    expect(resolveOpaOptions({}).hasServer).toBe(true);
    expect(resolveOpaOptions({ engine: 'wasm', wasm: { bundle } }).hasServer).toBe(false);
    const withUrl = resolveOpaOptions({ engine: 'wasm', url: 'http://opa:8181', wasm: { bundle } });
    expect(withUrl).toMatchObject({ engine: 'wasm', hasServer: true, url: 'http://opa:8181' });
    expect(resolveOpaOptions({}).wasmBundle).toBeUndefined();
  });

  it('turns the token into a bearer header and keeps a path prefix', () => {
    const options = resolveOpaOptions({ url: 'https://opa.internal/prefix/', token: 't0k' });
    expect(options.url).toBe('https://opa.internal/prefix');
    expect(options.headers).toEqual({ authorization: 'Bearer t0k' });
  });

  it.each([
    [{ url: 'file:///etc/passwd' }, /http/],
    [{ url: 'not a url' }, /Invalid URL/],
    [{ policyPackage: 'authz/../x' }, /Rego package/],
    [{ timeout: 0 }, /timeout/],
    [{ timeout: Number.NaN }, /timeout/],
    [{ engine: 'opa' as never }, /engine must be 'server', 'wasm' or a DecisionEngine class/],
    [{ engine: 'wasm' as const }, /wasm.bundle with exactly one of/],
    [
      { engine: 'wasm' as const, wasm: { bundle: { file: 'b', url: 'u', publicKey: 'k' } } },
      /exactly one/,
    ],
    [{ engine: 'wasm' as const, wasm: { bundle: { file: 'b', publicKey: ' ' } } }, /publicKey/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOpaOptions(options)).toThrow(message);
  });
});

describe('resolveResilience', () => {
  it('samples failure rates by default; the bound on decisions in flight is opt-in', () => {
    expect(resolveResilience({})).toEqual({
      retry: { maxAttempts: 2, initialDelay: 10, maxDelay: 100 },
      circuitBreaker: { threshold: 0.5, duration: 1000, minimumRps: 5, halfOpenAfter: 1000 },
      bulkhead: false,
    });
    expect(resolveResilience({ bulkhead: {} }).bulkhead).toEqual({
      maxConcurrent: 16,
      maxQueued: 256,
    });
  });

  it('follows connections, keeps what is given and turns parts off with false', () => {
    expect(resolveResilience({ connections: 4, bulkhead: { maxQueued: 0 } }).bulkhead).toEqual({
      maxConcurrent: 4,
      maxQueued: 0,
    });
    expect(resolveResilience({ circuitBreaker: false, bulkhead: false, retry: false })).toEqual({
      retry: false,
      circuitBreaker: false,
      bulkhead: false,
    });
  });

  it.each([
    [{ circuitBreaker: { consecutiveFailures: 5 } }, /consecutiveFailures is gone/],
    [{ circuitBreaker: { threshold: 1 } }, /threshold/],
    [{ circuitBreaker: { threshold: 0 } }, /threshold/],
    [{ circuitBreaker: { minimumRps: 0 } }, /minimumRps/],
    [{ circuitBreaker: { duration: -1 } }, /duration/],
    [{ bulkhead: { maxConcurrent: 0 } }, /maxConcurrent/],
    [{ bulkhead: { maxQueued: 1.5 } }, /maxQueued/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveResilience(options as OpaModuleOptions)).toThrow(message);
  });
});
