// HTTPRoute redirect cases and the Extended matching cases berth's router covers, ported from
// kubernetes-sigs/gateway-api conformance/tests/ (each case names its file).
import { gateway, route, v1, v2, v3, type Case, type Check } from './cases.js';
import { httpsGateway } from './core-more.js';

const SAME = 'parentRefs: [{name: same-namespace}]';
const redirectRule = (path: string, redirect: string) => `- matches: [{path: {type: PathPrefix, value: ${path}}}]\n  filters: [{type: RequestRedirect, requestRedirect: ${redirect}}]`;
const redirects = (name: string, rules: Array<[string, string]>, parent = SAME) =>
  route(name, `${parent}\nrules:\n${rules.map(([p, r]) => redirectRule(p, r)).join('\n')}`);
const moved = (path: string, location: string, status = 302, gw?: string): Check => ({ gateway: gw, path, status, location });
const GW8080 = 'gateway-conformance-infra/same-namespace-with-http-listener-on-8080:8080';
const PORTS = 'gateway-conformance-infra/httproute-listener-port-matching';

export const FILTER_CASES: Case[] = [
  {
    name: 'HTTPRouteRedirectHostAndStatus', source: 'httproute-redirect-host-and-status.go', support: 'Core',
    manifests: redirects('redirect-host-and-status', [['/hostname-redirect', '{hostname: example.org}'], ['/host-and-status', '{statusCode: 301, hostname: example.org}']]),
    checks: [moved('/hostname-redirect', 'http://example.org/hostname-redirect'), moved('/host-and-status', 'http://example.org/host-and-status', 301)],
  },
  // Upstream's paths; its 303 case sends a POST (See Other is what a POST is redirected with).
  ...([[303, 'see-other', 'POST'], [307, 'temporary', 'GET'], [308, 'permanent', 'GET']] as const).map(([code, path, method]): Case => ({
    name: `HTTPRoute${code}Redirect`, source: `httproute-${code}-redirect.go`, support: 'Extended',
    manifests: redirects(`${code}-redirect`, [[`/${path}`, `{statusCode: ${code}}`]]),
    checks: [{ ...moved(`/${path}`, `http://example.com/${path}`, code), method }],
  })),
  {
    name: 'HTTPRouteRedirectPath', source: 'httproute-redirect-path.go', support: 'Extended',
    manifests: redirects('redirect-path', [
      ['/original-prefix', '{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}'],
      ['/full', '{path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}}'],
      ['/path-and-host', '{hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}'],
      ['/path-and-status', '{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}, statusCode: 301}'],
      ['/full-path-and-host', '{hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}'],
      ['/full-path-and-status', '{path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}, statusCode: 301}'],
    ]),
    checks: [
      moved('/original-prefix/lemon', 'http://example.com/replacement-prefix/lemon'), moved('/full/path/original', 'http://example.com/full-path-replacement'),
      moved('/path-and-host', 'http://example.org/replacement-prefix'), moved('/path-and-status', 'http://example.com/replacement-prefix', 301),
      moved('/full-path-and-host', 'http://example.org/replacement-full'), moved('/full-path-and-status', 'http://example.com/replacement-full', 301),
    ],
  },
  {
    name: 'HTTPRouteRedirectPort', source: 'httproute-redirect-port.go', support: 'Extended',
    manifests: redirects('redirect-port', [['/port', '{port: 8083}'], ['/port-and-host', '{hostname: example.org, port: 8083}'],
      ['/port-and-status', '{port: 8083, statusCode: 301}'], ['/port-and-host-and-status', '{port: 8083, hostname: example.org, statusCode: 302}']]),
    checks: [moved('/port', 'http://example.com:8083/port'), moved('/port-and-host', 'http://example.org:8083/port-and-host'),
      moved('/port-and-status', 'http://example.com:8083/port-and-status', 301), moved('/port-and-host-and-status', 'http://example.org:8083/port-and-host-and-status')],
  },
  {
    name: 'HTTPRouteRedirectScheme', source: 'httproute-redirect-scheme.go', support: 'Extended',
    manifests: redirects('redirect-scheme', [['/scheme', '{scheme: https}'], ['/scheme-and-host', '{hostname: example.org, scheme: https}'],
      ['/scheme-and-status', '{scheme: https, statusCode: 301}'], ['/scheme-and-host-and-status', '{scheme: https, statusCode: 302, hostname: example.org}']]),
    checks: [moved('/scheme', 'https://example.com/scheme'), moved('/scheme-and-host', 'https://example.org/scheme-and-host'),
      moved('/scheme-and-status', 'https://example.com/scheme-and-status', 301), moved('/scheme-and-host-and-status', 'https://example.org/scheme-and-host-and-status')],
  },
  {
    name: 'HTTPRouteRedirectPortAndScheme (HTTP listeners on 80 and 8080)', source: 'httproute-redirect-port-and-scheme.go', support: 'Extended',
    manifests: gateway('same-namespace-with-http-listener-on-8080', '- {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}') + '---\n' +
      redirects('http-route-for-listener-on-port-80', [
        ['/scheme-nil-and-port-nil', '{hostname: example.org}'], ['/scheme-nil-and-port-80', '{port: 80, hostname: example.org}'],
        ['/scheme-nil-and-port-8080', '{port: 8080, hostname: example.org}'], ['/scheme-https-and-port-nil', '{scheme: https, hostname: example.org}'],
        ['/scheme-https-and-port-443', '{scheme: https, port: 443, hostname: example.org}'], ['/scheme-https-and-port-8443', '{scheme: https, port: 8443, hostname: example.org}'],
      ], 'parentRefs: [{name: same-namespace}]') + '---\n' +
      redirects('http-route-for-listener-on-port-8080', [
        ['/scheme-nil-and-port-nil', '{hostname: example.org}'], ['/scheme-nil-and-port-80', '{port: 80, hostname: example.org}'],
        ['/scheme-https-and-port-nil', '{scheme: https, hostname: example.org}'],
      ], 'parentRefs: [{name: same-namespace-with-http-listener-on-8080}]'),
    checks: [
      moved('/scheme-nil-and-port-nil', 'http://example.org/scheme-nil-and-port-nil'), moved('/scheme-nil-and-port-80', 'http://example.org/scheme-nil-and-port-80'),
      moved('/scheme-nil-and-port-8080', 'http://example.org:8080/scheme-nil-and-port-8080'), moved('/scheme-https-and-port-nil', 'https://example.org/scheme-https-and-port-nil'),
      moved('/scheme-https-and-port-443', 'https://example.org/scheme-https-and-port-443'), moved('/scheme-https-and-port-8443', 'https://example.org:8443/scheme-https-and-port-8443'),
      moved('/scheme-nil-and-port-nil', 'http://example.org:8080/scheme-nil-and-port-nil', 302, GW8080), moved('/scheme-nil-and-port-80', 'http://example.org/scheme-nil-and-port-80', 302, GW8080),
      moved('/scheme-https-and-port-nil', 'https://example.org/scheme-https-and-port-nil', 302, GW8080),
    ],
  },
  {
    // The same test's route on same-namespace-with-https-listener (port 443), asked over TLS on the
    // --proxy-listen-tls socket with SNI example.org.
    name: 'HTTPRouteRedirectPortAndScheme (HTTPS listener on 443)', source: 'httproute-redirect-port-and-scheme.go', support: 'Extended',
    manifests: httpsGateway() + '---\n' + redirects('http-route-for-listener-on-port-443', [
      ['/scheme-nil-and-port-nil', '{hostname: example.org}'], ['/scheme-nil-and-port-443', '{port: 443, hostname: example.org}'],
      ['/scheme-nil-and-port-8443', '{port: 8443, hostname: example.org}'], ['/scheme-http-and-port-nil', '{scheme: http, hostname: example.org}'],
      ['/scheme-http-and-port-80', '{scheme: http, port: 80, hostname: example.org}'], ['/scheme-http-and-port-8080', '{scheme: http, port: 8080, hostname: example.org}'],
    ], 'parentRefs: [{name: same-namespace-with-https-listener}]'),
    checks: ([
      ['/scheme-nil-and-port-nil', 'https://example.org/scheme-nil-and-port-nil'], ['/scheme-nil-and-port-443', 'https://example.org/scheme-nil-and-port-443'],
      ['/scheme-nil-and-port-8443', 'https://example.org:8443/scheme-nil-and-port-8443'], ['/scheme-http-and-port-nil', 'http://example.org/scheme-http-and-port-nil'],
      ['/scheme-http-and-port-80', 'http://example.org/scheme-http-and-port-80'], ['/scheme-http-and-port-8080', 'http://example.org:8080/scheme-http-and-port-8080'],
    ] as const).map(([path, location]): Check => ({ tls: true, host: 'example.org', path, status: 302, location })),
  },
  {
    name: 'HTTPRouteListenerPortMatching', source: 'httproute-listener-port-matching.go', support: 'Extended',
    manifests: gateway('httproute-listener-port-matching', ['1:80:foo.com', '2:8080:foo.com', '3:8080:bar.com', '4:8090:foo.com', '5:8090:bar.com'].map((l) => {
      const [n, port, host] = l.split(':');
      return `- {name: listener-${n}, port: ${port}, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: ${host}}`;
    }).join('\n')) + '---\n' + [['backend-v1', 'port: 80', v1], ['backend-v2', 'port: 8080', v2], ['backend-v3', 'port: 8090, sectionName: listener-4', v3]]
      .map(([name, ref, backend]) => route(name!, `parentRefs: [{name: httproute-listener-port-matching, namespace: gateway-conformance-infra, ${ref}}]\nrules:\n- backendRefs: [{name: ${backend}, port: 8080}]`)).join('---\n'),
    checks: [
      { gateway: `${PORTS}:80`, host: 'foo.com', path: '/', backend: v1 }, { gateway: `${PORTS}:8080`, host: 'foo.com:8080', path: '/', backend: v2 },
      { gateway: `${PORTS}:8080`, host: 'bar.com:8080', path: '/', backend: v2 }, { gateway: `${PORTS}:8090`, host: 'foo.com:8090', path: '/', backend: v3 },
      { gateway: `${PORTS}:8090`, host: 'bar.com:8090', path: '/', status: 404 },
      // Not in the upstream test: the port is part of the match, so v1 is not served on 8080.
      { gateway: `${PORTS}:8080`, host: 'foo.com', path: '/', backend: v2 },
    ],
  },
  {
    name: 'HTTPRouteMethodMatching', source: 'httproute-method-matching.go', support: 'Extended',
    manifests: route('method-matching', `${SAME}
rules:
- matches: [{method: POST}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{method: GET}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{headers: [{name: version, value: one}], method: PUT}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], method: POST}]
  backendRefs: [{name: ${v3}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path3}, method: PATCH}, {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], method: DELETE}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path5}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{method: PATCH}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{headers: [{name: version, value: four}]}]
  backendRefs: [{name: ${v3}, port: 8080}]`),
    checks: [
      { method: 'POST', path: '/', backend: v1 }, { method: 'GET', path: '/', backend: v2 }, { method: 'HEAD', path: '/', status: 404 },
      { method: 'GET', path: '/path1', backend: v1 }, { method: 'PUT', path: '/', headers: { version: 'one' }, backend: v2 },
      { method: 'POST', path: '/path2', headers: { version: 'two' }, backend: v3 }, { method: 'PATCH', path: '/path3', backend: v1 },
      { method: 'DELETE', path: '/path4', headers: { version: 'three' }, backend: v1 }, { method: 'PUT', path: '/', status: 404 },
      { method: 'DELETE', path: '/path4', status: 404 }, { method: 'PATCH', path: '/path5', backend: v1 },
      { method: 'PATCH', path: '/', headers: { version: 'four' }, backend: v2 },
    ],
  },
  {
    name: 'HTTPRouteQueryParamMatching', source: 'httproute-query-param-matching.go', support: 'Extended',
    manifests: route('query-param-matching', `${SAME}
rules:
- matches: [{queryParams: [{name: animal, value: whale}]}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{queryParams: [{name: animal, value: dolphin}]}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]}, {queryParams: [{name: ANIMAL, value: Whale}]}]
  backendRefs: [{name: ${v3}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path1}, queryParams: [{name: animal, value: whale}]}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{headers: [{name: version, value: one}], queryParams: [{name: animal, value: whale}]}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], queryParams: [{name: animal, value: whale}]}]
  backendRefs: [{name: ${v3}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path3}, queryParams: [{name: animal, value: shark}]}, {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], queryParams: [{name: animal, value: kraken}]}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /path5}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{queryParams: [{name: animal, value: hydra}]}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{headers: [{name: version, value: four}]}]
  backendRefs: [{name: ${v3}, port: 8080}]`),
    checks: [
      { path: '/?animal=whale', backend: v1 }, { path: '/?animal=dolphin', backend: v2 }, { path: '/?animal=dolphin&color=blue', backend: v3 },
      { path: '/?ANIMAL=Whale', backend: v3 }, { path: '/?animal=whale&otherparam=irrelevant', backend: v1 }, { path: '/?animal=dolphin&color=yellow', backend: v2 },
      { path: '/?color=blue', status: 404 }, { path: '/?animal=dog', status: 404 }, { path: '/?animal=whaledolphin', status: 404 }, { path: '/', status: 404 },
      { path: '/path1?animal=whale', backend: v1 }, { path: '/?animal=whale', headers: { version: 'one' }, backend: v2 },
      { path: '/path2?animal=whale', headers: { version: 'two' }, backend: v3 }, { path: '/path3?animal=shark', backend: v1 },
      { path: '/path4?animal=kraken', headers: { version: 'three' }, backend: v1 }, { path: '/?animal=shark', status: 404 }, { path: '/path4?animal=kraken', status: 404 },
      { path: '/path5?animal=hydra', backend: v1 }, { path: '/?animal=hydra', headers: { version: 'four' }, backend: v3 },
    ],
  },
  {
    name: 'HTTPRouteRewriteHost', source: 'httproute-rewrite-host.go', support: 'Extended',
    manifests: route('rewrite-host', `${SAME}
hostnames: [rewrite.example]
rules:
- matches: [{path: {type: PathPrefix, value: /one}}]
  filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- filters: [{type: URLRewrite, urlRewrite: {hostname: example.org}}]
  backendRefs: [{name: ${v2}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /rewrite-host-and-modify-headers}}]
  filters:
  - {type: URLRewrite, urlRewrite: {hostname: test.example.org}}
  - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}], remove: [X-Header-Remove]}}
  backendRefs: [{name: ${v2}, port: 8080}]`),
    checks: [
      { host: 'rewrite.example', path: '/one', backend: v1, upstream: { path: '/one', host: 'one.example.org' } },
      { host: 'rewrite.example', path: '/two', backend: v2, upstream: { path: '/two', host: 'example.org' } },
      { host: 'rewrite.example', path: '/rewrite-host-and-modify-headers', headers: { 'X-Header-Set': 'old', 'X-Header-Remove': 'gone' }, backend: v2,
        upstream: { host: 'test.example.org', headers: { 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add': 'header-val-1', 'X-Header-Remove': null } } },
    ],
  },
  {
    name: 'HTTPRouteRewritePath', source: 'httproute-rewrite-path.go', support: 'Extended',
    manifests: route('rewrite-path', `${SAME}
rules:
- matches: [{path: {type: PathPrefix, value: /prefix/one}}]
  filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /strip-prefix}}]
  filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /full/one}}]
  filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /full/rewrite-path-and-modify-headers}}]
  filters:
  - {type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /test}}}
  - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}], remove: [X-Header-Remove]}}
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /prefix/rewrite-path-and-modify-headers}}]
  filters:
  - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}}
  - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}], remove: [X-Header-Remove]}}
  backendRefs: [{name: ${v1}, port: 8080}]`),
    checks: [
      { path: '/prefix/one/two', backend: v1, upstream: { path: '/one/two' } },
      { path: '/strip-prefix/three', backend: v1, upstream: { path: '/three' } },
      { path: '/strip-prefix', backend: v1, upstream: { path: '/' } },
      { path: '/full/one/two', backend: v1, upstream: { path: '/one' } },
      ...['/full/rewrite-path-and-modify-headers/test', '/prefix/rewrite-path-and-modify-headers/one'].map((path, i): Check => ({
        path, headers: { 'X-Header-Set': 'old', 'X-Header-Remove': 'gone' }, backend: v1,
        upstream: { path: i === 0 ? '/test' : '/prefix/one', headers: { 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add': 'header-val-1', 'X-Header-Remove': null } },
      })),
    ],
  },
  {
    name: 'HTTPRouteNamedRule', source: 'httproute-named-rule.go', support: 'Extended',
    manifests: route('http-named-rules', `${SAME}
rules:
- name: named-rule
  matches: [{path: {type: PathPrefix, value: /named}}]
  backendRefs: [{name: ${v1}, port: 8080}]
- matches: [{path: {type: PathPrefix, value: /unnamed}}]
  backendRefs: [{name: ${v2}, port: 8080}]`),
    checks: [{ path: '/named' }, { path: '/unnamed' }],
  },
  {
    name: 'HTTPRouteBackendURLRewrite', source: 'httproute-backend-url-rewrite.go', support: 'Extended',
    manifests: route('backend-url-rewrite', `${SAME}
rules:
- matches: [{path: {type: PathPrefix, value: /full}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /rewritten-full}}}]}]
- matches: [{path: {type: PathPrefix, value: /prefix}}]
  backendRefs: [{name: ${v1}, port: 8080, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /rewritten-prefix}}}]}]`),
    checks: [
      { path: '/full/original', backend: v1, upstream: { path: '/rewritten-full' } },
      { path: '/prefix/original', backend: v1, upstream: { path: '/rewritten-prefix/original' } },
    ],
  },
];
