import { startOpa } from '../../../../scripts/opa-server.mjs';

/**
 * Starts one OPA with the engine and the sample's rules for the integration project; tests read
 * its URL from OPA_URL.
 */
export default async function globalSetup(): Promise<void> {
  const opa = await startOpa({ decisionLogs: true });
  process.env.OPA_URL = opa.url;
  (globalThis as { __OPA__?: typeof opa }).__OPA__ = opa;
}
