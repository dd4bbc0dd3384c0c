/** One field-level decision waiting for its batch. */
export interface FieldQuestion {
  action: string;
  resourceType: string;
  parent: unknown;
  /** The parent's property holding its id. */
  idField: string;
}

/** A verdict for one question, or the error that question (or the whole batch) ended with. */
export type FieldAnswer = { permit: boolean; decisionId?: string } | { error: unknown };

/**
 * Collects the field-level questions of one GraphQL request asked in the same tick (graphql-js
 * resolves a list's fields synchronously, one parent after the other) and answers them with one
 * call of `answer`, like a DataLoader: N parents asking a guarded field make one bulk decision.
 */
export class FieldDecisionBatch {
  private queue: Array<{ question: FieldQuestion; settle: (answer: FieldAnswer) => void }> = [];

  constructor(private readonly answer: (questions: FieldQuestion[]) => Promise<FieldAnswer[]>) {}

  decide(question: FieldQuestion): Promise<FieldAnswer> {
    return new Promise((settle) => {
      // setImmediate, not a microtask: Nest reaches the guard of each parent through a few awaits.
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ question, settle });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    let answers: FieldAnswer[];
    try {
      answers = await this.answer(batch.map((entry) => entry.question));
    } catch (error) {
      answers = batch.map(() => ({ error }));
    }
    batch.forEach((entry, index) => entry.settle(answers[index] ?? { permit: false }));
  }
}
