// `npm run opa`: the pinned OPA with policies/, in the foreground, on $OPA_ADDR (127.0.0.1:8181).
import { startOpa } from './opa-server.mjs';

const address = process.env.OPA_ADDR || '127.0.0.1:8181';
const separator = address.lastIndexOf(':');
const host = address.slice(0, separator) || '127.0.0.1';
const port = Number(address.slice(separator + 1));
if (separator < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`OPA_ADDR must be host:port, got "${address}"`);
  process.exit(2);
}

const opa = await startOpa({ host, port, foreground: true, decisionLogs: true });
console.error(`OPA is serving policies/ at ${opa.url} (Ctrl-C to stop)`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await opa.stop();
    process.exit(0);
  });
}
