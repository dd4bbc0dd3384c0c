// Plain JavaScript, so scripts/build-bundle.mjs reads the same list straight from the sources
// (it runs before the library is built) and both builds (ESM, CommonJS) ship it.

/**
 * The built-in functions `@open-policy-agent/opa-wasm` 1.10 implements in JavaScript. OPA
 * compiles every other non-native built-in (`http.send`, `time.now_ns`, ...) as a host call the
 * SDK cannot answer: the Wasm engine refuses such a module at load, and
 * scripts/build-bundle.mjs refuses to build it.
 * @type {ReadonlySet<string>}
 */
export const WASM_HOST_BUILTINS = new Set([
  'json.is_valid',
  'sprintf',
  'regex.split',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
]);
