// `npm run opa`: the pinned OPA with the engine and the sample's rules, in the foreground, on $OPA_ADDR (127.0.0.1:8181).
import { ensureOpaInstalled, startOpa } from './opa-server.mjs';

const address = process.env.OPA_ADDR || '127.0.0.1:8181';
const separator = address.lastIndexOf(':');
const host = address.slice(0, separator) || '127.0.0.1';
const port = Number(address.slice(separator + 1));
if (separator < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`OPA_ADDR must be host:port, got "${address}"`);
  process.exit(2);
}

let opa;
try {
  ensureOpaInstalled();
  opa = await startOpa({ host, port, foreground: true, decisionLogs: true });
} catch (error) {
  console.error(`npm run opa: ${error.message}`);
  process.exit(1);
}
console.error(
  `OPA is serving policies/ and apps/tasks-api/policies/ at ${opa.url} (Ctrl-C to stop)`,
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await opa.stop();
    process.exit(0);
  });
}
