import { resolveOpaOptions } from './opa.options.js';

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
  ])('rejects %j', (options, message) => {
    expect(() => resolveOpaOptions(options)).toThrow(message);
  });
});
