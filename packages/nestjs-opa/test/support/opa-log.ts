import { readFileSync } from 'node:fs';

/** The decision log line of `decisionId`, once OPA has written it. */
export async function decisionLogLine(file: string, decisionId: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes(`"decision_id":"${decisionId}"`));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no decision log line for ${decisionId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
