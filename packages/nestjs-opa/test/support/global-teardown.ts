import type { RunningOpa } from '../../../../scripts/opa-server.mjs';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __OPA__?: RunningOpa }).__OPA__?.stop();
}
