import { DecisionCache } from 'nestjs-opa';
import { RoleBinding } from '../src/authz/role-binding.entity.js';
import { Role } from '../src/authz/role.entity.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { scrape, sumOf } from './support/metrics.js';

const dave = { type: 'user', id: 'dave' } as const;

/**
 * With the opt-in cache on (long TTLs, so only invalidation can explain a change), a decision is
 * served from the cache until the subject's bindings change, then asked again at once.
 */
describe('decision cache in the sample', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ OPA_DECISION_CACHE_TTL_MS: '60000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const bindings = () => t.dataSource.getRepository(RoleBinding);
  /** Saves a global binding through the app's repository, as an admin screen would. */
  const grantGlobal = (subject: { type: string; id: string }, role: string) =>
    bindings().save(
      bindings().create({
        subjectType: subject.type,
        subjectId: subject.id,
        role,
        scopeType: null,
        scopeId: null,
      }),
    );

  it('caches, and a binding change for the subject drops its entries at once', async () => {
    const cache = t.app.get(DecisionCache);
    expect(cache.enabled).toBe(true);
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(403);
    const size = cache.size;
    expect(size).toBeGreaterThan(0);
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(403); // served from the cache

    const granted = await grantGlobal({ type: 'user', id: 'dave' }, 'viewer');
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(200);

    await bindings().remove(granted);
    expect((await t.as(dave).get('/tasks/t-1')).status).toBe(403);
  });

  it("a token's binding change keeps the cached decisions of the user with the same id", async () => {
    const cache = t.app.get(DecisionCache);
    cache.invalidateAll();
    const userCiBot = { type: 'user', id: 'ci-bot' } as const;
    expect((await t.as(userCiBot).get('/tasks/t-1')).status).toBe(403);
    const size = cache.size;
    expect(size).toBeGreaterThan(0);

    const granted = await grantGlobal({ type: 'token', id: 'ci-bot' }, 'editor');
    expect(cache.size).toBe(size);
    await bindings().remove(granted);
    expect(cache.size).toBe(size);
  });

  it('drops everything when the role catalogue changes', async () => {
    const cache = t.app.get(DecisionCache);
    await t.as(dave).get('/tasks/t-3');
    expect(cache.size).toBeGreaterThan(0);
    const roles = t.dataSource.getRepository(Role);
    const auditor = await roles.save(roles.create({ name: 'auditor', permissions: [] }));
    expect(cache.size).toBe(0);
    await roles.remove(auditor);
  });

  it('counts hits in the metrics', async () => {
    const hits = async () => sumOf(await scrape(t), 'opa_decision_cache_total', { result: 'hit' });
    const before = await hits();
    await t.as(dave).get('/tasks/t-3');
    await t.as(dave).get('/tasks/t-3');
    expect(await hits()).toBeGreaterThan(before);
  });
});
