// Core HTTPRoute cases on parentRef ports, status generations, Service shapes and backend weights,
// ported from kubernetes-sigs/gateway-api conformance/tests/ (each case names its file).
import { readFileSync } from 'node:fs';
import { BACKENDS, podOf } from './backends.js';
import { route, v1, v2, v3, type Case } from './cases.js';

const INFRA = 'gateway-conformance-infra';
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8');

/** The suite's tls-validity-checks-certificate (conformance/utils/suite/suite.go), see test/fixtures/tls/README.md. */
export const CONFORMANCE_CERT = fixture('conformance.crt');

/** tlsSecret renders a kubernetes.io/tls Secret with the conformance certificate (the suite creates
 * its certificate Secrets in suite.go, e.g. tls-validity-checks-certificate, web-backend's certificate). */
export const tlsSecret = (name: string, namespace: string): string => `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(CONFORMANCE_CERT).toString('base64')}
  tls.key: ${Buffer.from(fixture('conformance.key')).toString('base64')}
`;

/** conformance/base/manifests.yaml's same-namespace-with-https-listener and the certificate Secret it refers to. */
export const httpsGateway = (): string => {
  const tls = `tls: {certificateRefs: [{group: "", kind: Secret, name: tls-validity-checks-certificate, namespace: ${INFRA}}]}`;
  const listener = (name: string, hostname?: string) =>
    `  - {name: ${name}, port: 443, protocol: HTTPS,${hostname === undefined ? '' : ` hostname: "${hostname}",`} allowedRoutes: {namespaces: {from: Same}}, ${tls}}`;
  return `${tlsSecret('tls-validity-checks-certificate', INFRA)}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace-with-https-listener, namespace: ${INFRA}}
spec:
  gatewayClassName: berth
  listeners:
${listener('https')}
${listener('https-with-hostname', 'second-example.org')}
${listener('https-with-wildcard-hostname', '*.wildcard.org')}
${listener('https-with-hostname-matching-wildcard', 'fourth-example.wildcard.org')}
`;
};
const resolved = (r: string, parent: string, observedGeneration?: number) =>
  ({ route: r, parent, type: 'ResolvedRefs', status: 'True' as const, reason: 'ResolvedRefs', observedGeneration });
const accepted = (r: string, parent: string, observedGeneration?: number) =>
  ({ route: r, parent, type: 'Accepted', status: 'True' as const, reason: 'Accepted', observedGeneration });
const noMatchingParent = (r: string, parent: string) => ({ route: r, parent, type: 'Accepted', status: 'False' as const, reason: 'NoMatchingParent' });

/** generationBump renders httproute-observed-generation-bump.yaml at `generation` with `backend`
 * (the suite patches the backendRef's name; the API server bumps metadata.generation). */
const generationBump = (generation: number, backend: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: observed-generation-bump, namespace: ${INFRA}, generation: ${generation}}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{name: ${backend}, port: 8080}]
`;

/** serviceTypes renders httproute-service-types.yaml with the EndpointSlices the suite fills in
 * (setupEndpointSlices): infra-backend-v1's pod in the IPv4 slices; the IPv6 slices stay empty, as
 * the suite leaves a family without pod IPs untouched. */
function serviceTypes(port: number): string {
  const pod = BACKENDS.find((b) => b.service === v1)!;
  const service = (name: string, headless: boolean, selector: boolean) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${INFRA}}
spec:${headless ? '\n  clusterIP: None' : ''}${selector ? `\n  selector: {app: ${v1}}` : ''}
  ports: [{name: first-port, protocol: TCP, port: 8080, targetPort: ${port}}]
`;
  const slice = (service: string, family: 'IPv4' | 'IPv6', endpoints: string, suffix = family === 'IPv4' ? 'ip4' : 'ip6') => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${service}-${suffix}, namespace: ${INFRA}, labels: {kubernetes.io/service-name: ${service}}}
addressType: ${family}
ports: [{name: first-port, port: ${port}, protocol: TCP}]
endpoints: ${endpoints}
`;
  const v1Endpoint = `\n  - addresses: ["${pod.ip}"]\n    conditions: {ready: true, serving: true, terminating: false}\n    targetRef: {kind: Pod, name: ${podOf(pod)}, namespace: ${INFRA}, uid: uid-${v1}}`;
  const manual = (name: string, headless: boolean) => [service(name, headless, false), slice(name, 'IPv4', v1Endpoint), slice(name, 'IPv6', '[]')];
  return [
    route('service-types', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: Exact, value: /manual-endpointslices}}]
  backendRefs: [{name: manual-endpointslices, port: 8080}]
- matches: [{path: {type: Exact, value: /headless}}]
  backendRefs: [{name: headless, port: 8080}]
- matches: [{path: {type: Exact, value: /headless-manual-endpointslices}}]
  backendRefs: [{name: headless-manual-endpointslices, port: 8080}]`),
    ...manual('manual-endpointslices', false),
    // The managed headless Service: Kubernetes' EndpointSlice controller would list the selected pod.
    service('headless', true, true), slice('headless', 'IPv4', v1Endpoint, 'abcde'),
    ...manual('headless-manual-endpointslices', true),
  ].join('---\n');
}

export const PARENT_AND_BACKEND_CASES: Case[] = [
  {
    name: 'HTTPRouteHTTPSListener', source: 'httproute-https-listener.go', support: 'Core',
    manifests: httpsGateway() + '---\n' +
      route('httproute-https-test', `parentRefs: [{name: same-namespace-with-https-listener}]\nhostnames: [example.org]\nrules:\n- backendRefs: [{name: ${v1}, port: 8080}]`) + '---\n' +
      route('httproute-https-test-no-hostname', `parentRefs: [{name: same-namespace-with-https-listener, sectionName: https-with-hostname}]\nrules:\n- backendRefs: [{name: ${v2}, port: 8080}]`),
    checks: [
      { tls: true, host: 'example.org', path: '/', backend: v1 },
      { tls: true, host: 'unknown-example.org', path: '/', status: 404 },
      { tls: true, host: 'second-example.org', path: '/', backend: v2 },
    ],
    conditions: [
      accepted('httproute-https-test', 'same-namespace-with-https-listener'), resolved('httproute-https-test', 'same-namespace-with-https-listener'),
      accepted('httproute-https-test-no-hostname', 'same-namespace-with-https-listener'), resolved('httproute-https-test-no-hostname', 'same-namespace-with-https-listener'),
    ],
  },
  {
    name: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests', source: 'httproute-https-listener-detect-misdirected-requests.go', support: 'Extended',
    manifests: httpsGateway() + '---\n' + [
      ['https', 'hostnames: [example.org]\n', v1],
      ['https-with-hostname', '', v2],
      ['https-with-wildcard-hostname', '', v3],
      ['https-with-hostname-matching-wildcard', '', v1],
    ].map(([section, hostnames, backend], i) => route(`https-listener-detect-misdirected-requests-test-${i + 1}`,
      `parentRefs: [{name: same-namespace-with-https-listener, sectionName: ${section}}]\n${hostnames}rules:\n` +
      `- matches: [{path: {type: PathPrefix, value: /detect-misdirected-requests}}]\n  backendRefs: [{name: ${backend}, port: 8080}]`)).join('---\n'),
    // The suite's table, every request over HTTP/2 with its own SNI: 421 where the Host selects
    // another listener than the SNI did (one certificate serves them all).
    checks: ([
      ['example.org', 'example.org', v1], ['example.org', 'second-example.org', 421], ['example.org', 'unknown-example.org', 404],
      ['second-example.org', 'second-example.org', v2], ['second-example.org', 'example.org', 421], ['second-example.org', 'unknown-example.org', 421],
      ['third-example.wildcard.org', 'third-example.wildcard.org', v3], ['third-example.wildcard.org', 'fith-example.wildcard.org', v3],
      ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421], ['third-example.wildcard.org', 'second-example.org', 421],
      ['third-example.wildcard.org', 'unknown-example.org', 421],
      ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', v1], ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
      ['unknown-example.org', 'example.org', v1], ['unknown-example.org', 'unknown-example.org', 404],
    ] as const).map(([sni, host, want]) => ({
      tls: true, h2: true, sni, host, path: '/detect-misdirected-requests', ...(typeof want === 'number' ? { status: want } : { backend: want }),
    })),
    conditions: [1, 2, 3, 4].flatMap((i) => [
      accepted(`https-listener-detect-misdirected-requests-test-${i}`, 'same-namespace-with-https-listener'),
      resolved(`https-listener-detect-misdirected-requests-test-${i}`, 'same-namespace-with-https-listener'),
    ]),
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingListenerPort', source: 'httproute-invalid-parentref-not-matching-listener-port.go', support: 'Core',
    manifests: route('httproute-listener-not-matching-route-port', `parentRefs: [{name: same-namespace, namespace: ${INFRA}, port: 81}]
rules:
- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`),
    checks: [],
    conditions: [resolved('httproute-listener-not-matching-route-port', 'same-namespace'), noMatchingParent('httproute-listener-not-matching-route-port', 'same-namespace')],
    detached: [{ route: 'httproute-listener-not-matching-route-port', gateway: 'same-namespace' }],
  },
  {
    // A Gateway whose only listener admits TLSRoutes (a Passthrough TLS listener, which berth does
    // not serve): the HTTPRoute is not accepted, NotAllowedByListeners, its refs still resolve.
    name: 'HTTPRouteDisallowedKind', source: 'httproute-disallowed-kind.go', support: 'Extended',
    manifests: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tlsroutes-only, namespace: ${INFRA}}
spec:
  gatewayClassName: berth
  listeners:
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}
---
` + route('disallowed-kind', `parentRefs: [{name: tlsroutes-only, namespace: ${INFRA}}]
rules:
- backendRefs: [{name: ${v1}, port: 8080}]`),
    checks: [],
    conditions: [resolved('disallowed-kind', 'tlsroutes-only'),
      { route: 'disallowed-kind', parent: 'tlsroutes-only', type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }],
    detached: [{ route: 'disallowed-kind', gateway: 'tlsroutes-only' }],
  },
  {
    name: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort', source: 'httproute-invalid-parentref-section-name-not-matching-port.go', support: 'Core',
    manifests: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-one-not-matching-port-and-section-name-route, namespace: ${INFRA}}
spec:
  gatewayClassName: berth
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}
---
` + route('httproute-listener-section-name-not-matching-port', `parentRefs: [{name: gateway-with-one-not-matching-port-and-section-name-route, namespace: ${INFRA}, sectionName: http, port: 81}]
rules:
- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`),
    checks: [],
    conditions: [noMatchingParent('httproute-listener-section-name-not-matching-port', 'gateway-with-one-not-matching-port-and-section-name-route')],
    detached: [{ route: 'httproute-listener-section-name-not-matching-port', gateway: 'gateway-with-one-not-matching-port-and-section-name-route' }],
  },
  {
    name: 'HTTPRouteObservedGenerationBump (as applied, generation 1)', source: 'httproute-observed-generation-bump.go', support: 'Core',
    manifests: generationBump(1, v1),
    checks: [{ path: '/', backend: v1 }],
    conditions: [accepted('observed-generation-bump', 'same-namespace', 1), resolved('observed-generation-bump', 'same-namespace', 1)],
  },
  {
    name: 'HTTPRouteObservedGenerationBump (backendRef patched, generation 2)', source: 'httproute-observed-generation-bump.go', support: 'Core',
    manifests: generationBump(2, v2),
    checks: [{ path: '/', backend: v2 }],
    conditions: [accepted('observed-generation-bump', 'same-namespace', 2), resolved('observed-generation-bump', 'same-namespace', 2)],
  },
  {
    name: 'HTTPRouteServiceTypes', source: 'httproute-service-types.go', support: 'Core',
    manifests: serviceTypes,
    checks: ['/manual-endpointslices', '/headless-manual-endpointslices', '/headless'].map((path) => ({ path, backend: v1 })),
    conditions: [resolved('service-types', 'same-namespace')],
  },
  {
    name: 'HTTPRouteWeight', source: 'httproute-weight.go', support: 'Core',
    manifests: route('weighted-backends', `parentRefs: [{name: same-namespace}]
rules:
- backendRefs:
  - {name: ${v1}, port: 8080, weight: 70}
  - {name: ${v2}, port: 8080, weight: 30}
  - {name: ${v3}, port: 8080, weight: 0}`),
    checks: [{ path: '/' }],
    conditions: [resolved('weighted-backends', 'same-namespace')],
    distribution: { path: '/', weights: { [v1]: 0.7, [v2]: 0.3, [v3]: 0 } },
  },
];
