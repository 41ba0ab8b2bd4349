// GatewayHTTPListenerIsolation (Extended), ported from kubernetes-sigs/gateway-api
// conformance/tests/gateway-http-listener-isolation.go with its two manifests: four HTTP listeners
// on one port ("", "*.example.com", "*.foo.example.com", "abc.foo.example.com"), a route attached
// to each by sectionName; a request belongs to the most specific listener its Host selects, and
// only that listener's route may answer it, whatever hostnames the routes list.
import { gateway, route, v1, type Case, type Check } from './cases.js';

const LISTENERS = [
  { section: 'empty-hostname', hostname: undefined },
  { section: 'wildcard-example-com', hostname: '*.example.com' },
  { section: 'wildcard-foo-example-com', hostname: '*.foo.example.com' },
  { section: 'abc-foo-example-com', hostname: 'abc.foo.example.com' },
];

/** The suite's requests: each Host and the listener (by section) it selects. */
const HOSTS: Array<[host: string, section: string]> = [
  ['bar.com', 'empty-hostname'],
  ['bar.example.com', 'wildcard-example-com'],
  ['bar.foo.example.com', 'wildcard-foo-example-com'],
  ['abc.foo.example.com', 'abc-foo-example-com'],
];

/** The second manifest's routes all list these hostnames; the listeners narrow or isolate them. */
const INTERSECTING = ['bar.com', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'];

function isolationCase(gatewayName: string, routeSuffix: string, hostnames: string[] | undefined): Case {
  const listeners = LISTENERS.map((l) =>
    `- {name: ${l.section}, port: 80, protocol: HTTP,${l.hostname === undefined ? '' : ` hostname: "${l.hostname}",`} allowedRoutes: {namespaces: {from: All}}}`).join('\n');
  const routes = LISTENERS.map((l) => route(`attaches-to-${l.section}${routeSuffix}`,
    `parentRefs: [{name: ${gatewayName}, namespace: gateway-conformance-infra, sectionName: ${l.section}}]\n` +
    (hostnames === undefined ? '' : `hostnames: [${hostnames.map((h) => `"${h}"`).join(', ')}]\n`) +
    `rules:\n- matches: [{path: {type: PathPrefix, value: /${l.section}}}]\n  backendRefs: [{name: ${v1}, port: 8080}]`));
  const checks: Check[] = HOSTS.flatMap(([host, selected]) => LISTENERS.map((l) => ({
    gateway: `gateway-conformance-infra/${gatewayName}:80`, host, path: `/${l.section}`, ...(l.section === selected ? { backend: v1 } : { status: 404 }),
  })));
  return {
    name: `GatewayHTTPListenerIsolation (${hostnames === undefined ? 'hostnames are configured only in listeners' : 'intersecting hostnames are configured in listeners and HTTPRoutes'})`,
    source: hostnames === undefined ? 'gateway-http-listener-isolation.yaml' : 'gateway-http-listener-isolation-with-hostname-intersection.yaml',
    support: 'Extended',
    manifests: [gateway(gatewayName, listeners), ...routes].join('---\n'),
    checks,
    conditions: LISTENERS.flatMap((l) => [
      { route: `attaches-to-${l.section}${routeSuffix}`, parent: gatewayName, type: 'Accepted', status: 'True' as const, reason: 'Accepted' },
      { route: `attaches-to-${l.section}${routeSuffix}`, parent: gatewayName, type: 'ResolvedRefs', status: 'True' as const, reason: 'ResolvedRefs' },
    ]),
  };
}

export const LISTENER_ISOLATION_CASES: Case[] = [
  isolationCase('http-listener-isolation', '', undefined),
  isolationCase('http-listener-isolation-with-hostname-intersection', '-with-hostname-intersection', INTERSECTING),
];
