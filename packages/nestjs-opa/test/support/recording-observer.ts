import type { CheckRequest, DecisionEvent, OpaObserver } from '../../src/index.js';

/** Keeps every decision event and breaker state the library reports; reset it in `beforeEach`. */
export class RecordingObserver implements OpaObserver {
  static events: DecisionEvent[] = [];
  static states: string[] = [];
  onDecision(event: DecisionEvent) {
    RecordingObserver.events.push(event);
  }
  onBreakerStateChange(state: string) {
    RecordingObserver.states.push(state);
  }
}

/** OPA's answer permitting a decision, as a scripted OPA sends it. */
export const permitBody =
  '{"decision_id":"d-1","result":{"permit":true,"allow":true,"deny":false}}';

/** `task:read` of one task by one user, with no roles: the scripted OPA decides, not the data. */
export const readTask = (subjectId: string, taskId: string): CheckRequest => ({
  subject: { type: 'user', id: subjectId },
  action: 'task:read',
  resource: { type: 'Task', id: taskId },
  roles: {},
  bindings: [],
});
