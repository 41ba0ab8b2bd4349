// An in-process Gateway on 127.0.0.1:0, for tests that look inside the engine (target state,
// observers) rather than at a spawned process.
import { Gateway, type GatewayOptions } from '../../src/dataplane/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { createLogger } from '../../src/lib/log.js';

/** startGateway applies `config` (it must be valid) and starts the proxy listener. */
export async function startGateway(config: unknown, extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
  const gateway = new Gateway({
    proxyListen: { host: '127.0.0.1', port: 0 },
    keyring,
    log: createLogger('silent'),
    ...extra,
  });
  const result = gateway.apply(config);
  if (!result.ok) throw new Error(`invalid test config: ${result.error.message}`);
  await gateway.start();
  return gateway;
}
