import type { Decision } from './authz.types.js';
import { DecisionCache } from './decision.cache.js';
import { buildDecisionInput } from './decision.input.js';
import { decisionKey } from './decision.key.js';
import { resolveOpaOptions } from './opa.options.js';
import type { DecisionCacheOptions } from './opa-module-options.interface.js';

const permit: Decision = { permit: true, allow: true, deny: false, raw: {} };
const deny: Decision = { permit: false, allow: false, deny: false, raw: {} };
const keyOf = (subjectId: string, resourceId = 't-1') =>
  decisionKey(
    buildDecisionInput({
      subject: { type: 'user', id: subjectId },
      action: 'task:read',
      resource: { type: 'Task', id: resourceId },
      roles: {},
      bindings: [],
    }),
  );
const cacheWith = (cache: false | DecisionCacheOptions) =>
  new DecisionCache(resolveOpaOptions({ cache }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DecisionCache', () => {
  it('keeps nothing when off (the default)', () => {
    const cache = new DecisionCache(resolveOpaOptions({}));
    cache.set(keyOf('alice'), permit);
    expect(cache.enabled).toBe(false);
    expect(cache.get(keyOf('alice'))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps a denial for less time than a permit', async () => {
    const cache = cacheWith({ ttl: 2_000, denyTtl: 30 });
    cache.set(keyOf('alice'), permit);
    cache.set(keyOf('bob'), deny);
    expect(cache.get(keyOf('bob'))).toBe(deny);
    await sleep(80);
    expect(cache.get(keyOf('bob'))).toBeUndefined();
    expect(cache.get(keyOf('alice'))).toBe(permit);
  });

  it('holds at most `max` decisions, dropping the least recently used', () => {
    const cache = cacheWith({ max: 2 });
    cache.set(keyOf('a'), permit);
    cache.set(keyOf('b'), permit);
    cache.get(keyOf('a'));
    cache.set(keyOf('c'), permit);
    expect(cache.size).toBe(2);
    expect(cache.get(keyOf('b'))).toBeUndefined();
    expect(cache.get(keyOf('a'))).toBe(permit);
  });

  it("drops one subject's decisions, not another's, and moves the generation", () => {
    const cache = cacheWith({});
    cache.set(keyOf('alice', 't-1'), permit);
    cache.set(keyOf('alice', 't-2'), permit);
    cache.set(keyOf('alice-2'), permit); // a prefix of the id is another subject
    const before = cache.generation;
    cache.invalidateSubject({ type: 'user', id: 'alice' });
    expect(cache.get(keyOf('alice', 't-1'))).toBeUndefined();
    expect(cache.get(keyOf('alice', 't-2'))).toBeUndefined();
    expect(cache.get(keyOf('alice-2'))).toBe(permit);
    expect(cache.generation).not.toBe(before);
  });

  it('drops everything on invalidateAll, and moves the generation even when off', () => {
    const cache = cacheWith({});
    cache.set(keyOf('alice'), permit);
    cache.invalidateAll();
    expect(cache.size).toBe(0);
    const off = new DecisionCache(resolveOpaOptions({}));
    const before = off.generation;
    off.invalidateSubject({ type: 'user', id: 'alice' });
    expect(off.generation).not.toBe(before);
  });
});
