import { Injectable } from '@nestjs/common';
import {
  OpaService,
  type CheckManyRequest,
  type Decision,
  type DecisionEngine,
  type DecisionEvent,
  type DecisionInput,
  type OpaObserver,
} from '../../src/index.js';
import { carolUpdatesT2, seedFilterRequest, seedSubjects } from '../support/seed.js';
import { createOpaTesting } from '../support/opa-testing.js';

/**
 * An in-process engine, as the Wasm engine will be: point and bulk decisions only. It permits
 * exactly what its one rule says, so an answer from OPA instead would show.
 */
@Injectable()
class OnlyRootEngine implements DecisionEngine {
  static inputs: DecisionInput[] = [];

  async decide(input: DecisionInput): Promise<Decision> {
    OnlyRootEngine.inputs.push(input);
    const permit = input.subject.id === 'root';
    return { permit, allow: permit, deny: false, raw: { engine: 'only-root' } };
  }

  async decideMany(request: CheckManyRequest) {
    return { permits: request.items.map(() => request.subject.id === 'root') };
  }
}

class RecordingObserver implements OpaObserver {
  static events: DecisionEvent[] = [];
  onDecision(event: DecisionEvent) {
    RecordingObserver.events.push(event);
  }
}

describe('A decision engine provided with `engine`', () => {
  let opa: OpaService;
  beforeAll(async () => {
    ({ opa } = await createOpaTesting({
      engine: OnlyRootEngine,
      auditLog: false,
      observers: [RecordingObserver],
    }));
  });
  beforeEach(() => {
    OnlyRootEngine.inputs = [];
    RecordingObserver.events = [];
  });

  it('answers point decisions, from the input document the library built', async () => {
    const decision = await opa.check(carolUpdatesT2); // OPA would permit this one
    expect(decision).toMatchObject({ permit: false, raw: { engine: 'only-root' } });
    expect(OnlyRootEngine.inputs).toEqual([
      expect.objectContaining({
        subject: { type: 'user', id: 'carol', attributes: {} },
        resource: expect.objectContaining({ type: 'Task', id: 't-2' }),
      }),
    ]);
  });

  it('gets a decision id, observer events and the same event shape for free', async () => {
    const root = await opa.check({ ...carolUpdatesT2, subject: { type: 'user', id: 'root' } });
    expect(root.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(RecordingObserver.events).toEqual([
      expect.objectContaining({
        kind: 'point',
        outcome: 'permit',
        source: 'opa',
        decisionId: root.decisionId,
      }),
    ]);
  });

  it('answers bulk decisions', async () => {
    const verdicts = await opa.checkMany({
      ...carolUpdatesT2,
      subject: { type: 'user', id: 'root' },
      items: [{ action: 'task:delete', resource: { type: 'Task', id: 't-9' } }],
    });
    expect(verdicts).toEqual([expect.objectContaining({ permit: true })]);
    expect(RecordingObserver.events).toEqual([expect.objectContaining({ kind: 'bulk' })]);
  });

  it('leaves list filters, which it cannot compile, to the OPA server', async () => {
    const alice = seedSubjects.find((subject) => subject.id === 'alice')!;
    const filter = await opa.compileFilter(seedFilterRequest(alice, 'task:read'));
    expect(filter).toEqual({ kind: 'always' }); // OPA's answer: the engine permits only root
    expect(OnlyRootEngine.inputs).toEqual([]);
    expect(RecordingObserver.events).toEqual([
      expect.objectContaining({ kind: 'filter', outcome: 'permit', filter: 'always' }),
    ]);
  });
});
