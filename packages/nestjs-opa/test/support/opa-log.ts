import { readFileSync } from 'node:fs';

/** The decision log line of `decisionId` in OPA's console output `file`, once OPA has written it. */
export function decisionLogLine(file: string, decisionId: string): Promise<string> {
  return logLineContaining(file, `"decision_id":"${decisionId}"`);
}

/** The first line of `file` that contains `text`, once OPA has written it. */
export async function logLineContaining(file: string, text: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes(text));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no decision log line with ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
