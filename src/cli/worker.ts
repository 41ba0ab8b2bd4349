// One proxy process of `berth gateway|run --workers N`, forked by the primary
// (src/dataplane/workers/primary.ts) with its flags in the environment; keys and config come over IPC.
import { runWorker } from '../dataplane/workers/worker.js';
import { workerSettingsFrom } from '../dataplane/workers/settings.js';
import { createLogger } from '../lib/log.js';
import { parseTrustedIps } from '../lib/trusted-ips.js';
import { parseListenerBinding } from './listener-flags.js';
import { observabilityOptionsFrom } from './observability-flags.js';

try {
  const settings = workerSettingsFrom(process.env);
  const log = createLogger(settings.logLevel);
  const { trustedIps, ...observability } = settings.observability;
  const flags = { ...observability, trustedIps: trustedIps ? parseTrustedIps(trustedIps) : undefined };
  const { gatewayListeners, ...rest } = settings;
  const listenerBinding = gatewayListeners === undefined ? undefined : parseListenerBinding(gatewayListeners, settings.proxyListen.host);
  runWorker({ ...rest, listenerBinding, ...observabilityOptionsFrom(flags, log), log });
} catch (err) {
  process.stderr.write(`berth worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
