import type { ServicePort } from './endpoints.js';

/**
 * appProtocolProblem: why berth cannot speak a Service port's `appProtocol` to the backend
 * (Gateway API GEP-1911), or undefined. HTTP/1.1 with WebSocket upgrades is what berth speaks
 * upstream, so `kubernetes.io/ws` (and no appProtocol, or `http`) work as is. `kubernetes.io/h2c`
 * needs an HTTP/2 cleartext upstream client: this is the one place to map it to that service
 * protocol once the proxy has one. Other values are left to the port's own protocol.
 */
export function appProtocolProblem(port: ServicePort & { appProtocol?: unknown }): string | undefined {
  if (port.appProtocol === 'kubernetes.io/h2c') return 'appProtocol kubernetes.io/h2c is not supported yet (berth has no HTTP/2 cleartext upstream client)';
  return undefined;
}
