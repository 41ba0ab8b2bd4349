// Core HTTPRoute routing cases ported from kubernetes-sigs/gateway-api conformance/tests/
// (each case names its file): the suite's manifests and expected responses, in our own form.
import { gateway, route, v1, v2, v3, type Case } from './cases.js';

const toV = (name: string, port = 8080) => `backendRefs: [{name: ${name}, port: ${port}}]`;

export const ROUTING_CASES: Case[] = [
  {
    name: 'HTTPRouteSimpleSameNamespace', source: 'httproute-simple-same-namespace.go', support: 'Core',
    manifests: route('gateway-conformance-infra-test', `parentRefs: [{name: same-namespace}]\nrules:\n- ${toV(v1)}`),
    checks: [{ path: '/', backend: v1 }],
    conditions: [{ route: 'gateway-conformance-infra-test', parent: 'same-namespace', type: 'Accepted', status: 'True', reason: 'Accepted' }],
  },
  {
    name: 'HTTPRouteCrossNamespace', source: 'httproute-cross-namespace.go', support: 'Core',
    manifests: route('cross-namespace', `parentRefs: [{name: backend-namespaces, namespace: gateway-conformance-infra}]\nrules:\n- ${toV('web-backend')}`, 'gateway-conformance-web-backend'),
    checks: [{ gateway: 'gateway-conformance-infra/backend-namespaces:80', path: '/', backend: 'web-backend' }],
  },
  {
    name: 'HTTPRouteExactPathMatching', source: 'httproute-exact-path-matching.go', support: 'Core',
    manifests: route('exact-matching', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: Exact, value: /one}}]
  ${toV(v1)}
- matches: [{path: {type: Exact, value: /two}}]
  ${toV(v2)}`),
    checks: [
      { path: '/one', backend: v1 }, { path: '/two', backend: v2 }, { path: '/', status: 404 },
      { path: '/one/example', status: 404 }, { path: '/two/', status: 404 }, { path: '/Two', status: 404 },
    ],
  },
  {
    name: 'HTTPRouteHeaderMatching', source: 'httproute-header-matching.go', support: 'Core',
    manifests: route('header-matching', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{headers: [{name: version, value: one}]}]
  ${toV(v1)}
- matches: [{headers: [{name: version, value: two}]}]
  ${toV(v2)}
- matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
  ${toV(v1)}
- matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
  ${toV(v1)}
- matches: [{headers: [{name: color, value: red}]}, {headers: [{name: color, value: yellow}]}]
  ${toV(v2)}`),
    checks: [
      { path: '/', headers: { Version: 'one' }, backend: v1 },
      { path: '/', headers: { Version: 'two' }, backend: v2 },
      { path: '/', headers: { Version: 'two', Color: 'orange' }, backend: v1 },
      { path: '/', headers: { Version: 'two', Color: 'blue' }, backend: v2 },
      { path: '/', headers: { Color: 'orange' }, status: 404 },
      { path: '/', headers: { 'Some-Other-Header': 'one' }, status: 404 },
      { path: '/', headers: { Color: 'blue' }, backend: v1 },
      { path: '/', headers: { Color: 'green' }, backend: v1 },
      { path: '/', headers: { Color: 'red' }, backend: v2 },
      { path: '/', headers: { Color: 'yellow' }, backend: v2 },
      { path: '/', headers: { Color: 'purple' }, status: 404 },
    ],
  },
  {
    name: 'HTTPRouteMatching', source: 'httproute-matching.go', support: 'Core',
    manifests: route('matching', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
  ${toV(v1)}
- matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
  ${toV(v2)}`),
    checks: [
      { path: '/', backend: v1 }, { path: '/example', backend: v1 }, { path: '/', headers: { Version: 'one' }, backend: v1 },
      { path: '/v2', backend: v2 }, { path: '/v2/example', backend: v2 }, { path: '/', headers: { Version: 'two' }, backend: v2 },
      { path: '/v2/', backend: v2 }, { path: '/v2example', backend: v1 }, { path: '/foo/v2/example', backend: v1 },
    ],
  },
  {
    name: 'HTTPRouteMatchingAcrossRoutes', source: 'httproute-matching-across-routes.go', support: 'Core',
    manifests: route('matching-part1', `parentRefs: [{name: same-namespace}]
hostnames: [example.com, example.net]
rules:
- matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
  ${toV(v1)}`) + '---\n' + route('matching-part2', `parentRefs: [{name: same-namespace}]
hostnames: [example.com]
rules:
- matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
  ${toV(v2)}`),
    checks: [
      { host: 'example.com', path: '/', backend: v1 }, { host: 'example.com', path: '/example', backend: v1 },
      { host: 'example.net', path: '/example', backend: v1 }, { host: 'example.com', path: '/example', headers: { Version: 'one' }, backend: v1 },
      { host: 'example.com', path: '/v2', backend: v2 }, { host: 'example.net', path: '/v2', backend: v1 },
      { host: 'example.com', path: '/v2/example', backend: v2 }, { host: 'example.com', path: '/', headers: { Version: 'two' }, backend: v2 },
    ],
  },
  {
    name: 'HTTPRoutePathMatchOrder', source: 'httproute-path-match-order.go', support: 'Core',
    manifests: route('path-matching-order', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: Exact, value: /match}}]
  ${toV(v1)}
- matches: [{path: {type: Exact, value: /match/exact}}]
  ${toV(v2)}
- matches: [{path: {type: Exact, value: /match/exact/one}}]
  ${toV(v3)}
- matches: [{path: {type: PathPrefix, value: /match/}}]
  ${toV(v3)}
- matches: [{path: {type: PathPrefix, value: /match/prefix/}}]
  ${toV(v1)}
- matches: [{path: {type: PathPrefix, value: /match/prefix/one}}]
  ${toV(v2)}`),
    checks: [
      { path: '/match/exact/one', backend: v3 }, { path: '/match/exact', backend: v2 }, { path: '/match', backend: v1 },
      { path: '/match/prefix/one/any', backend: v2 }, { path: '/match/prefix/any', backend: v1 }, { path: '/match/any', backend: v3 },
    ],
  },
  {
    name: 'HTTPRouteMultipleGateways', source: 'httproute-multiple-gateways.go', support: 'Core',
    manifests: route('multiple-gateways-shared-route', `parentRefs: [{name: same-namespace}, {name: all-namespaces}]
rules:
- matches: [{path: {type: PathPrefix, value: /shared}}]
  ${toV(v1)}`) + '---\n' + route('same-namespace-dedicated-route', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: PathPrefix, value: /}}]
  ${toV(v2)}`) + '---\n' + route('all-namespaces-dedicated-route', `parentRefs: [{name: all-namespaces}]
rules:
- matches: [{path: {type: PathPrefix, value: /}}]
  ${toV(v3)}`),
    checks: [
      { path: '/shared', backend: v1 }, { path: '/', backend: v2 },
      { gateway: 'gateway-conformance-infra/all-namespaces:80', path: '/shared', backend: v1 },
      { gateway: 'gateway-conformance-infra/all-namespaces:80', path: '/', backend: v3 },
    ],
  },
  {
    name: 'HTTPRouteHostnameIntersection', source: 'httproute-hostname-intersection.go', support: 'Core',
    manifests: gateway('httproute-hostname-intersection', `- {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: very.specific.com}
- {name: listener-2, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: "*.wildcard.io"}
- {name: listener-3, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: "*.anotherwildcard.io"}`) + '---\n' +
      [
        ['specific-host-matches-listener-specific-host', '[non.matching.com, "*.nonmatchingwildcard.io", very.specific.com]', '/s1', v1],
        ['specific-host-matches-listener-wildcard-host', '[non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io]', '/s2', v2],
        ['wildcard-host-matches-listener-specific-host', '[non.matching.com, "*.specific.com"]', '/s3', v3],
        ['wildcard-host-matches-listener-wildcard-host', '["*.anotherwildcard.io"]', '/s4', v1],
        ['no-intersecting-hosts', '[specific.but.wrong.com, wildcard.io]', '/s5', v2],
      ].map(([name, hosts, path, backend]) => route(name!, `parentRefs: [{name: httproute-hostname-intersection, namespace: gateway-conformance-infra}]
hostnames: ${hosts}
rules:
- matches: [{path: {type: PathPrefix, value: ${path}}}]
  ${toV(backend!)}`)).join('---\n'),
    checks: [
      ...[
        ['very.specific.com', '/s1', v1], ['very.specific.com:1234', '/s1', v1], ['non.matching.com', '/s1'], ['foo.nonmatchingwildcard.io', '/s1'],
        ['foo.wildcard.io', '/s1'], ['very.specific.com', '/non-matching-prefix'],
        ['foo.wildcard.io', '/s2', v2], ['bar.wildcard.io', '/s2', v2], ['foo.bar.wildcard.io', '/s2', v2], ['non.matching.com', '/s2'],
        ['wildcard.io', '/s2'], ['very.specific.com', '/s2'], ['foo.wildcard.io', '/non-matching-prefix'],
        ['very.specific.com', '/s3', v3], ['non.matching.com', '/s3'], ['foo.specific.com', '/s3'], ['foo.wildcard.io', '/s3'],
        ['foo.anotherwildcard.io', '/s4', v1], ['bar.anotherwildcard.io', '/s4', v1], ['foo.bar.anotherwildcard.io', '/s4', v1],
        ['anotherwildcard.io', '/s4'], ['foo.wildcard.io', '/s4'], ['very.specific.com', '/s4'], ['foo.anotherwildcard.io', '/non-matching-prefix'],
        ['specific.but.wrong.com', '/s5'], ['wildcard.io', '/s5'],
      ].map(([host, path, backend]) => (backend === undefined
        ? { gateway: 'gateway-conformance-infra/httproute-hostname-intersection:80', host, path: path!, status: 404 }
        : { gateway: 'gateway-conformance-infra/httproute-hostname-intersection:80', host, path: path!, backend })),
    ],
    conditions: [{ route: 'no-intersecting-hosts', parent: 'httproute-hostname-intersection', type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }],
  },
  {
    name: 'HTTPRouteListenerHostnameMatching', source: 'httproute-listener-hostname-matching.go', support: 'Core',
    manifests: gateway('httproute-listener-hostname-matching', `- {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: bar.com}
- {name: listener-2, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: foo.bar.com}
- {name: listener-3, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: "*.bar.com"}
- {name: listener-4, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: "*.foo.com"}`) + '---\n' +
      route('backend-v1', `parentRefs: [{name: httproute-listener-hostname-matching, namespace: gateway-conformance-infra, sectionName: listener-1}]\nrules:\n- ${toV(v1)}`) + '---\n' +
      route('backend-v2', `parentRefs: [{name: httproute-listener-hostname-matching, namespace: gateway-conformance-infra, sectionName: listener-2}]\nrules:\n- ${toV(v2)}`) + '---\n' +
      route('backend-v3', `parentRefs:
- {name: httproute-listener-hostname-matching, namespace: gateway-conformance-infra, sectionName: listener-3}
- {name: httproute-listener-hostname-matching, namespace: gateway-conformance-infra, sectionName: listener-4}
rules:
- ${toV(v3)}`),
    checks: [
      ['bar.com', v1], ['foo.bar.com', v2], ['baz.bar.com', v3], ['boo.bar.com', v3], ['multiple.prefixes.bar.com', v3],
      ['multiple.prefixes.foo.com', v3], ['foo.com'], ['no.matching.host'],
    ].map(([host, backend]) => (backend === undefined
      ? { gateway: 'gateway-conformance-infra/httproute-listener-hostname-matching:80', host, path: '/', status: 404 }
      : { gateway: 'gateway-conformance-infra/httproute-listener-hostname-matching:80', host, path: '/', backend })),
  },
];
