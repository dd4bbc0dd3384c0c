import type { TestingModule } from '@nestjs/testing';
import {
  DEFAULT_POLICIES,
  POLICIES_DIR,
  startOpa,
  type RunningOpa,
} from '../../../../scripts/opa-server.mjs';
import { type OpaService, type CheckRequest } from '../../src/index.js';
import { createOpaTesting } from '../support/opa-testing.js';
import { daveUpdatesT3 } from '../support/seed.js';

/**
 * The engine the library ships, with no application rules loaded: the sample's rules (which let
 * a task's creator read and update it) must not come with it. The same question against the
 * sample's OPA (engine and sample rules) is permitted, so the difference is the rules, not the
 * question.
 */
describe('the generic engine without any app rules', () => {
  let engineOnly: RunningOpa;
  let withSampleRules: RunningOpa;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    [engineOnly, withSampleRules] = await Promise.all([
      startOpa({ policies: [POLICIES_DIR] }),
      startOpa({ policies: DEFAULT_POLICIES }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(modules.map((moduleRef) => moduleRef.close()));
    await engineOnly?.stop();
    await withSampleRules?.stop();
  });

  async function serviceFor(url: string): Promise<OpaService> {
    const { moduleRef, opa } = await createOpaTesting({ url, auditLog: false });
    modules.push(moduleRef);
    return opa;
  }

  // A subject with no roles (an empty catalogue, no bindings) asks to update the task it created.
  const creatorUpdates: CheckRequest = { ...daveUpdatesT3, roles: {} };

  it('denies a subject with no roles, whatever the task says about its creator', async () => {
    const opa = await serviceFor(engineOnly.url);
    expect(await opa.check(creatorUpdates)).toMatchObject({
      permit: false,
      allow: false,
      deny: false,
    });
    const [verdict] = await opa.checkMany({
      subject: creatorUpdates.subject,
      roles: {},
      bindings: [],
      items: [{ action: 'task:update', resource: creatorUpdates.resource }],
    });
    expect(verdict).toMatchObject({ permit: false });
  });

  it('still grants through role bindings', async () => {
    const opa = await serviceFor(engineOnly.url);
    const decision = await opa.check({
      ...creatorUpdates,
      roles: { editor: { permissions: ['task:update'] } },
      bindings: [{ subject: creatorUpdates.subject, role: 'editor', scope: { type: 'Task' } }],
    });
    expect(decision).toMatchObject({ permit: true, allow: true, deny: false });
  });

  it("is permitted only where the sample's rules are loaded beside the engine", async () => {
    const opa = await serviceFor(withSampleRules.url);
    expect(await opa.check(creatorUpdates)).toMatchObject({ permit: true, allow: true });
  });
});
