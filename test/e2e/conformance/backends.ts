// Echo backends for the ported Gateway API conformance cases: like the suite's echo-basic
// (conformance/echo-basic), each answers with JSON naming its pod and namespace and echoing the
// request (path with query, Host, method, headers), so a case can check what reached the backend.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { joinLines } from './client.js';

/** Backend: one Service of conformance/base/manifests.yaml, served by one pod on a loopback IP. */
export interface Backend {
  namespace: string;
  service: string;
  ip: string;
}

export interface EchoedRequest {
  path: string;
  host: string;
  method: string;
  /** Each header's lines joined with ",", as echo-basic reports them and the suite compares them. */
  headers: Record<string, string>;
  namespace: string;
  pod: string;
}

/** BACKENDS: the Services the Core HTTPRoute tests send to, each on its own 127.0.0.x address. */
export const BACKENDS: Backend[] = [
  { namespace: 'gateway-conformance-infra', service: 'infra-backend-v1', ip: '127.0.0.21' },
  { namespace: 'gateway-conformance-infra', service: 'infra-backend-v2', ip: '127.0.0.22' },
  { namespace: 'gateway-conformance-infra', service: 'infra-backend-v3', ip: '127.0.0.23' },
  { namespace: 'gateway-conformance-app-backend', service: 'app-backend-v1', ip: '127.0.0.24' },
  { namespace: 'gateway-conformance-app-backend', service: 'app-backend-v2', ip: '127.0.0.25' },
  { namespace: 'gateway-conformance-web-backend', service: 'web-backend', ip: '127.0.0.26' },
];

/** echoSetHeaders reads X-Echo-Set-Header ("name:value,name:value"), echo-basic's way of letting
 * a case pick the backend's response headers (conformance/utils/http/http.go BackendSetResponseHeaders). */
function echoSetHeaders(value: string | undefined): Array<[string, string]> {
  if (value === undefined || value === '') return [];
  return value.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
  });
}

export const podOf = (b: Backend): string => `${b.service}-7d9f8c6b5-x2k4p`;

/** startBackends starts every backend on one shared port; returns the port and a stop function. */
export async function startBackends(): Promise<{ port: number; stop: () => Promise<void> }> {
  const servers: Server[] = [];
  let port = 0;
  for (const b of BACKENDS) {
    const server = createServer((req, res) => {
      const body: EchoedRequest = { path: req.url ?? '', host: req.headers.host ?? '', method: req.method ?? '', headers: joinLines(req.headersDistinct), namespace: b.namespace, pod: podOf(b) };
      const text = JSON.stringify(body);
      req.resume();
      req.on('end', () => {
        for (const [name, value] of echoSetHeaders(req.headersDistinct['x-echo-set-header']?.join(','))) res.setHeader(name, value);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      });
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, b.ip, () => resolve()));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  const stop = async (): Promise<void> => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  };
  return { port, stop };
}

/** baseManifests: conformance/base/manifests.yaml's namespaces, GatewayClass, Gateways and Services (+ EndpointSlices). */
export function baseManifests(port: number): string {
  const services = BACKENDS.map((b) => `apiVersion: v1
kind: Service
metadata: {name: ${b.service}, namespace: ${b.namespace}}
spec:
  selector: {app: ${b.service}}
  ports: [{name: first-port, protocol: TCP, port: 8080, targetPort: ${port}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${b.service}-abcde
  namespace: ${b.namespace}
  labels: {kubernetes.io/service-name: ${b.service}}
addressType: IPv4
ports: [{name: first-port, port: ${port}, protocol: TCP}]
endpoints:
  - addresses: ["${b.ip}"]
    conditions: {ready: true}
    targetRef: {kind: Pod, name: ${podOf(b)}, namespace: ${b.namespace}, uid: uid-${b.service}}
`).join('---\n');
  const gateway = (name: string, from: string, extra = ''): string => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: berth
  listeners:
    - name: http
      port: 80
      protocol: HTTP
      allowedRoutes:
        namespaces:
          from: ${from}${extra}
`;
  return `apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-infra, labels: {gateway-conformance: infra}}
---
apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-app-backend, labels: {gateway-conformance: backend}}
---
apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-web-backend, labels: {gateway-conformance: backend}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: berth}
spec: {controllerName: konghq.com/kic-gateway-controller}
---
${gateway('same-namespace', 'Same')}---
${gateway('all-namespaces', 'All')}---
${gateway('backend-namespaces', 'Selector', '\n          selector: {matchLabels: {gateway-conformance: backend}}')}---
${services}`;
}
