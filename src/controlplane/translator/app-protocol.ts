import type { ServicePort } from './endpoints.js';

/**
 * appProtocolService: the Kong service protocol a Service port's `appProtocol` asks for (Gateway
 * API GEP-1911). `kubernetes.io/h2c` is HTTP/2 cleartext, Kong's `grpc`; `kubernetes.io/ws`, `http`
 * or none are HTTP/1.1 (with WebSocket upgrades), the default; other values are left to the port.
 */
export function appProtocolService(port: ServicePort & { appProtocol?: unknown }): 'grpc' | undefined {
  return port.appProtocol === 'kubernetes.io/h2c' ? 'grpc' : undefined;
}
