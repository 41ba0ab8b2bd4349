// Core Gateway status tests, ported from kubernetes-sigs/gateway-api conformance/tests/gateway-*.go
// and gatewayclass-observed-generation-bump.go (each case names its file): listener supportedKinds,
// attachedRoutes and conditions (kubernetes.GatewayStatusMustHaveListeners), Gateway conditions
// (GatewayMustHaveCondition) and GatewayClass conditions, all at the object's latest generation.
// Manifests mode has no API server to set metadata.generation, so each Gateway is written with the
// one the API server would give it: 1 when created, one more per spec patch.
import { route, v1, type Case, type ExpectedCondition, type ExpectedListener, type GatewayExpectation } from './cases.js';
import { tlsSecret } from './core-more.js';

const INFRA = 'gateway-conformance-infra';
const WEB_BACKEND = 'gateway-conformance-web-backend';

/** gatewayAt renders a Gateway of class berth in gateway-conformance-infra at `generation` with `listeners` (YAML list items). */
function gatewayAt(name: string, generation: number, listeners: string[]): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA}, generation: ${generation}}
spec:
  gatewayClassName: berth
  listeners:
${listeners.map((l) => `  - ${l}\n`).join('')}`;
}

const INVALID_ADDRESS = '{type: "test/fake-invalid-type", value: "fake address teehee!"}';
const UNUSABLE_ADDRESS = '{type: IPAddress, value: 203.0.113.7}';
const USABLE_ADDRESS = '{type: IPAddress, value: 127.0.0.2}';

/** staticAddresses renders gateway-static-addresses at `generation` with `addresses` (flow-style YAML). */
function staticAddresses(generation: number, addresses: string[]): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-static-addresses, namespace: ${INFRA}, generation: ${generation}}
spec:
  gatewayClassName: berth
  addresses: [${addresses.join(', ')}]
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`;
}

const cond = (type: string, status?: 'True' | 'False', reason?: string): ExpectedCondition => ({ type, status, reason });
const listener = (name: string, attachedRoutes: number, conditions: ExpectedCondition[], supportedKinds = ['HTTPRoute']): ExpectedListener =>
  ({ name, supportedKinds, attachedRoutes, conditions });
/** The suite's listener expectation for a valid listener: Accepted and ResolvedRefs True, any reason. */
const valid = [cond('Accepted', 'True'), cond('ResolvedRefs', 'True')];
/** ready: what kubernetes.NamespacesMustBeReady asks of a Gateway: conditions at its generation, Accepted and Programmed True. */
const ready = (gateway: string, generation: number): GatewayExpectation =>
  ({ gateway, observedGeneration: generation, conditions: [cond('Accepted', 'True'), cond('Programmed', 'True')] });

/** An HTTPS listener on 443 whose certificateRefs are `refs` (flow-style YAML). */
const https = (name: string, refs: string, extra = '') =>
  `{name: ${name}, port: 443, protocol: HTTPS,${extra} allowedRoutes: {namespaces: {from: All}}, tls: {certificateRefs: [${refs}]}}`;
/** The suite's allowedRoutes of gateway-with-attached-routes.yaml: HTTPRoutes from the namespace labelled with its own name (set by Kubernetes on every namespace). */
const selfSelected = `allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: ${INFRA}}}}}`;
const webCertificate = `{group: "", kind: Secret, name: certificate, namespace: ${WEB_BACKEND}}`;
const infraCertificate = `{group: "", kind: Secret, name: tls-validity-checks-certificate, namespace: ${INFRA}}`;

/** routeTo renders an HTTPRoute to infra-backend-v1 (or `backend`) through `gateway` (gateway-with-attached-routes.yaml, gateway-modify-listeners.yaml). */
const routeTo = (name: string, gateway: string, extra = '', backend = v1) =>
  route(name, `parentRefs: [{kind: Gateway, name: ${gateway}, namespace: ${INFRA}${extra}}]\nrules:\n- backendRefs: [{name: ${backend}, port: 8080}]`);

// gateway-invalid-route-kind.yaml: one listener admitting only an unknown kind, one admitting it and HTTPRoute.
const invalidRouteKind = [
  gatewayAt('gateway-only-invalid-route-kind', 1, ['{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: InvalidRoute}]}}']),
  gatewayAt('gateway-supported-and-invalid-route-kind', 1, ['{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: InvalidRoute}, {kind: HTTPRoute}]}}']),
].join('---\n');

// gateway-with-attached-routes.yaml
const attachedRoutes = [
  gatewayAt('gateway-with-one-attached-route', 1, [`{name: http, port: 80, protocol: HTTP, ${selfSelected}}`]),
  routeTo('http-route-1', 'gateway-with-one-attached-route'),
  gatewayAt('gateway-with-two-attached-routes', 1, [`{name: http, port: 80, protocol: HTTP, hostname: "foo.example.com", ${selfSelected}}`]),
  routeTo('http-route-2', 'gateway-with-two-attached-routes'),
  routeTo('http-route-3', 'gateway-with-two-attached-routes'),
  // A hostname the listener's foo.example.com does not intersect: NoMatchingListenerHostname.
  route('http-route-not-accepted', `hostnames: ["not-accepted.test.com"]
parentRefs: [{kind: Gateway, name: gateway-with-two-attached-routes, namespace: ${INFRA}}]
rules:
- backendRefs: [{name: ${v1}, port: 8080}]`),
  gatewayAt('unresolved-gateway-with-one-attached-unresolved-route', 1, [
    `{name: tls, port: 443, protocol: HTTPS, ${selfSelected}, tls: {certificateRefs: [{group: "", kind: Secret, name: does-not-exist}], mode: Terminate}}`,
  ]),
  routeTo('http-route-4', 'unresolved-gateway-with-one-attached-unresolved-route', ', sectionName: tls', 'does-not-exist'),
].join('---\n');

// gateway-with-attached-routes-with-port-8080.yaml
const attachedRoutesPort8080 = [
  gatewayAt('gateway-with-two-listeners-and-one-attached-route', 1, [
    '{name: http-unattached, port: 8080, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}',
    '{name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}',
  ]),
  routeTo('http-route-4-port-8080', 'gateway-with-two-listeners-and-one-attached-route', ', sectionName: http'),
].join('---\n');

/** gateway-secret-invalid-reference-grant.yaml's ReferenceGrants: each gets one field wrong. */
const wrongGrants: Array<[name: string, namespace: string, from: string, to: string]> = [
  ['reference-grant-wrong-namespace', 'gateway-conformance-app-backend', `{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}`, '{group: "", kind: Secret, name: certificate}'],
  ['reference-grant-wrong-from-group', WEB_BACKEND, `{group: not-the-group-youre-looking-for, kind: Gateway, namespace: ${INFRA}}`, '{group: "", kind: Secret, name: certificate}'],
  ['reference-grant-wrong-from-kind', WEB_BACKEND, `{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${INFRA}}`, '{group: "", kind: Secret, name: certificate}'],
  ['reference-grant-wrong-from-namespace', WEB_BACKEND, '{group: gateway.networking.k8s.io, kind: Gateway, namespace: not-the-namespace-youre-looking-for}', '{group: "", kind: Secret, name: certificate}'],
  ['reference-grant-wrong-to-group', WEB_BACKEND, `{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}`, '{group: not-the-group-youre-looking-for, kind: Secret, name: not-the-certificate-youre-looking-for}'],
  ['reference-grant-wrong-to-kind', WEB_BACKEND, `{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}`, '{group: "", kind: Service, name: certificate}'],
  ['reference-grant-wrong-to-name', WEB_BACKEND, `{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}`, '{group: "", kind: Secret, name: not-the-certificate-youre-looking-for}'],
];
const grant = (name: string, namespace: string, from: string, to: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  from: [${from}]
  to: [${to}]
`;

/** A gateway-secret-*.yaml Gateway: one HTTPS listener on web-backend's certificate Secret (which the suite creates). */
const secretGateway = (name: string, ...grants: string[]) =>
  [tlsSecret('certificate', WEB_BACKEND), gatewayAt(name, 1, [https('https', webCertificate)]), ...grants].join('---\n');
const fromInfraGateways = `{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}`;

// gateway-invalid-tls-configuration.yaml, with the suite's tls-validity-checks-certificate: the
// wrong group and wrong kind refs name that existing Secret, so only the group or kind is wrong.
const invalidTls = [
  tlsSecret('tls-validity-checks-certificate', INFRA),
  gatewayAt('gateway-certificate-nonexistent-secret', 1, [https('https', '{group: "", kind: Secret, name: nonexistent-certificate}')]),
  gatewayAt('gateway-certificate-unsupported-group', 1, [https('https', '{group: wrong.group.company.io, kind: Secret, name: tls-validity-checks-certificate}')]),
  gatewayAt('gateway-certificate-unsupported-kind', 1, [https('https', '{group: "", kind: WrongKind, name: tls-validity-checks-certificate}')]),
  gatewayAt('gateway-certificate-malformed-secret', 1, [https('https', '{group: "", kind: Secret, name: malformed-certificate}')]),
  // Base64 of "Hello world" as both certificate and key: not PEM.
  `apiVersion: v1
kind: Secret
metadata: {name: malformed-certificate, namespace: ${INFRA}}
type: kubernetes.io/tls
data: {tls.crt: SGVsbG8gd29ybGQK, tls.key: SGVsbG8gd29ybGQK}
`,
].join('---\n');

// gateway-invalid-listeners-unsupported-protocol.yaml
const unsupportedProtocol = [
  gatewayAt('gateway-only-unsupported-protocols', 1, ['{name: invalid, port: 1111, protocol: INVALID}']),
  gatewayAt('gateway-supported-and-unsupported-protocols', 1, ['{name: http, port: 80, protocol: HTTP}', '{name: invalid, port: 1111, protocol: INVALID}']),
].join('---\n');

/** gateway-name-maximum-length.go's name: the prefix padded with "a" to 253 characters, the longest object name. */
const MAXIMUM_LENGTH_NAME = 'gateway-name-maximum-length-'.padEnd(253, 'a');

/** generationBump renders gateway-observed-generation-bump.yaml at `generation`; the suite's patch adds listener "alternate". */
const generationBump = (generation: number): string => gatewayAt('gateway-observed-generation-bump', generation, [
  '{name: http, hostname: "bar.com", port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}',
  ...(generation > 1 ? ['{name: alternate, hostname: "foo.com", port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}'] : []),
]);

/** classBump renders gatewayclass-observed-generation-bump.yaml at `generation`; the suite's patch sets the description to "new". */
const classBump = (generation: number): string => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewayclass-observed-generation-bump, generation: ${generation}}
spec:
  controllerName: konghq.com/kic-gateway-controller
  description: "${generation > 1 ? 'new' : 'old'}"
`;

/**
 * modifyListeners renders gateway-modify-listeners.yaml with each Gateway at its generation: the
 * first subtest adds listener "http" (data.test.com) to gateway-add-listener (generation 2), the
 * second removes listener "https" from gateway-remove-listener (generation 2).
 */
function modifyListeners(addGeneration: number, removeGeneration: number): string {
  const secure = https('https', infraCertificate, ' hostname: "secure.test.com",');
  return [
    tlsSecret('tls-validity-checks-certificate', INFRA),
    gatewayAt('gateway-add-listener', addGeneration, [
      secure,
      ...(addGeneration > 1 ? ['{name: http, port: 80, protocol: HTTP, hostname: "data.test.com", allowedRoutes: {namespaces: {from: All}}}'] : []),
    ]),
    routeTo('http-route-1', 'gateway-add-listener'),
    gatewayAt('gateway-remove-listener', removeGeneration, [
      ...(removeGeneration > 1 ? [] : [secure]),
      '{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}',
    ]),
    routeTo('http-route-2', 'gateway-remove-listener'),
  ].join('---\n');
}

/**
 * grantedSecretCase: gateway-secret-reference-grant-<variant>.go, a Gateway whose certificate in
 * another namespace a ReferenceGrant admits (`to`): its listener is programmed and resolved.
 */
function grantedSecretCase(name: string, variant: string, to: string): Case {
  const gateway = `gateway-secret-reference-grant-${variant}`;
  return {
    name, source: `${gateway}.go`, support: 'Core',
    manifests: secretGateway(gateway, grant(`reference-grant-${variant}`, WEB_BACKEND, fromInfraGateways, to)),
    checks: [],
    gateways: [{ gateway, observedGeneration: 1, listeners: [listener('https', 0, [cond('Programmed', 'True', 'Programmed'), cond('ResolvedRefs', 'True')])] }],
  };
}

export const GATEWAY_STATUS_CASES: Case[] = [
  {
    name: 'GatewayInvalidRouteKind (only an invalid route kind: ResolvedRefs=False/InvalidRouteKinds, no supportedKinds)', source: 'gateway-invalid-route-kind.go', support: 'Core',
    manifests: invalidRouteKind,
    checks: [],
    gateways: [{ gateway: 'gateway-only-invalid-route-kind', observedGeneration: 1, listeners: [listener('http', 0, [cond('ResolvedRefs', 'False', 'InvalidRouteKinds')], [])] }],
  },
  {
    name: 'GatewayInvalidRouteKind (HTTPRoute and an invalid route kind: ResolvedRefs=False/InvalidRouteKinds, HTTPRoute supported)', source: 'gateway-invalid-route-kind.go', support: 'Core',
    manifests: invalidRouteKind,
    checks: [],
    gateways: [{ gateway: 'gateway-supported-and-invalid-route-kind', observedGeneration: 1, listeners: [listener('http', 0, [cond('ResolvedRefs', 'False', 'InvalidRouteKinds')])] }],
  },
  {
    name: 'GatewayWithAttachedRoutes (one valid HTTPRoute attached)', source: 'gateway-with-attached-routes.go', support: 'Core',
    manifests: attachedRoutes,
    checks: [],
    gateways: [{ gateway: 'gateway-with-one-attached-route', observedGeneration: 1, listeners: [listener('http', 1, valid)] }],
  },
  {
    name: 'GatewayWithAttachedRoutes (two valid HTTPRoutes attached, one with no matching listener hostname)', source: 'gateway-with-attached-routes.go', support: 'Core',
    manifests: attachedRoutes,
    checks: [],
    gateways: [{ gateway: 'gateway-with-two-attached-routes', observedGeneration: 1, listeners: [listener('http', 2, valid)] }],
    conditions: [{ route: 'http-route-not-accepted', parent: 'gateway-with-two-attached-routes', type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }],
  },
  {
    // The listener's certificate Secret does not exist: not programmed, yet the route still counts.
    name: 'GatewayWithAttachedRoutes (attachedRoutes set even when the Gateway has unresolved refs)', source: 'gateway-with-attached-routes.go', support: 'Core',
    manifests: attachedRoutes,
    checks: [],
    gateways: [{
      gateway: 'unresolved-gateway-with-one-attached-unresolved-route', observedGeneration: 1,
      listeners: [listener('tls', 1, [cond('Programmed', 'False'), cond('ResolvedRefs', 'False')])],
    }],
    conditions: [{ route: 'http-route-4', parent: 'unresolved-gateway-with-one-attached-unresolved-route', type: 'ResolvedRefs', status: 'False' }],
  },
  {
    name: 'GatewayWithAttachedRoutesWithPort8080', source: 'gateway-with-attached-routes.go', support: 'Extended',
    manifests: attachedRoutesPort8080,
    checks: [],
    gateways: [{ gateway: 'gateway-with-two-listeners-and-one-attached-route', observedGeneration: 1, listeners: [listener('http-unattached', 0, valid), listener('http', 1, valid)] }],
  },
  {
    name: 'GatewaySecretMissingReferenceGrant', source: 'gateway-secret-missing-reference-grant.go', support: 'Core',
    manifests: secretGateway('gateway-secret-missing-reference-grant'),
    checks: [],
    gateways: [{ gateway: 'gateway-secret-missing-reference-grant', observedGeneration: 1, listeners: [listener('https', 0, [cond('ResolvedRefs', 'False', 'RefNotPermitted')])] }],
  },
  {
    name: 'GatewaySecretInvalidReferenceGrant', source: 'gateway-secret-invalid-reference-grant.go', support: 'Core',
    manifests: secretGateway('gateway-secret-invalid-reference-grant', ...wrongGrants.map(([name, ns, from, to]) => grant(name, ns, from, to))),
    checks: [],
    gateways: [{ gateway: 'gateway-secret-invalid-reference-grant', observedGeneration: 1, listeners: [listener('https', 0, [cond('ResolvedRefs', 'False', 'RefNotPermitted')])] }],
  },
  grantedSecretCase('GatewaySecretReferenceGrantAllInNamespace', 'all-in-namespace', '{group: "", kind: Secret}'),
  grantedSecretCase('GatewaySecretReferenceGrantSpecific', 'specific', '{group: "", kind: Secret, name: certificate}'),
  ...([
    ['nonexistent secret', 'gateway-certificate-nonexistent-secret'],
    ['unsupported group', 'gateway-certificate-unsupported-group'],
    ['unsupported kind', 'gateway-certificate-unsupported-kind'],
    ['malformed secret', 'gateway-certificate-malformed-secret'],
  ] as const).map(([what, gateway]): Case => ({
    name: `GatewayInvalidTLSConfiguration (${what} referenced as certificateRef)`, source: 'gateway-invalid-tls-configuration.go', support: 'Core',
    manifests: invalidTls,
    checks: [],
    gateways: [{ gateway, observedGeneration: 1, listeners: [listener('https', 0, [cond('ResolvedRefs', 'False', 'InvalidCertificateRef')])] }],
  })),
  {
    name: 'GatewayListenerUnsupportedProtocol (no listener accepted: Gateway Accepted=False/ListenersNotValid)', source: 'gateway-invalid-listeners-unsupported-protocol.go', support: 'Core',
    manifests: unsupportedProtocol,
    checks: [],
    gateways: [{
      gateway: 'gateway-only-unsupported-protocols', observedGeneration: 1, conditions: [cond('Accepted', 'False', 'ListenersNotValid')],
      listeners: [listener('invalid', 0, [cond('Accepted', 'False', 'UnsupportedProtocol')], [])],
    }],
  },
  {
    // Gateway API GatewayReasonListenersNotValid: the reason whether or not the Gateway is accepted.
    name: 'GatewayListenerUnsupportedProtocol (one listener accepted: Gateway Accepted=True/ListenersNotValid)', source: 'gateway-invalid-listeners-unsupported-protocol.go', support: 'Core',
    manifests: unsupportedProtocol,
    checks: [],
    gateways: [{
      gateway: 'gateway-supported-and-unsupported-protocols', observedGeneration: 1, conditions: [cond('Accepted', 'True', 'ListenersNotValid')],
      listeners: [listener('http', 0, [cond('Accepted', 'True', 'Accepted')]), listener('invalid', 0, [cond('Accepted', 'False', 'UnsupportedProtocol')], [])],
    }],
  },
  {
    // gateway-invalid-parameters-ref.go: GatewayMustHaveLatestConditions, then Accepted=False/InvalidParameters.
    // A route to it finds no accepted parent and its listener is not served.
    name: 'GatewayInvalidParametersRef', source: 'gateway-invalid-parameters-ref.go', support: 'Core',
    manifests: gatewayAt('gateway-invalid-parameters-ref', 1, ['{name: http, port: 80, protocol: HTTP}'])
      + '  infrastructure:\n    parametersRef: {group: invalid.io, kind: InvalidParameters, name: invalid}\n---\n'
      + routeTo('route-to-invalid-parameters-ref', 'gateway-invalid-parameters-ref'),
    checks: [],
    gateways: [{ gateway: 'gateway-invalid-parameters-ref', observedGeneration: 1, conditions: [cond('Accepted', 'False', 'InvalidParameters')] }],
    conditions: [{ route: 'route-to-invalid-parameters-ref', parent: 'gateway-invalid-parameters-ref', type: 'Accepted', status: 'False', reason: 'NoMatchingParent' }],
  },
  {
    // The suite only asks that the Gateway be reconciled: here, that it has a status at its generation.
    name: 'GatewayNameMaximumLength', source: 'gateway-name-maximum-length.go', support: 'Core',
    manifests: gatewayAt(MAXIMUM_LENGTH_NAME, 1, ['{name: http, port: 80, protocol: HTTP}']),
    checks: [],
    gateways: [{ gateway: MAXIMUM_LENGTH_NAME, observedGeneration: 1 }],
  },
  {
    name: 'GatewayObservedGenerationBump (as applied, generation 1)', source: 'gateway-observed-generation-bump.go', support: 'Core',
    manifests: generationBump(1),
    checks: [],
    gateways: [ready('gateway-observed-generation-bump', 1)],
  },
  {
    name: 'GatewayObservedGenerationBump (listener alternate added, generation 2)', source: 'gateway-observed-generation-bump.go', support: 'Core',
    manifests: generationBump(2),
    checks: [],
    gateways: [ready('gateway-observed-generation-bump', 2)],
  },
  {
    name: 'GatewayClassObservedGenerationBump (as applied, generation 1)', source: 'gatewayclass-observed-generation-bump.go', support: 'Core',
    manifests: classBump(1),
    checks: [],
    gatewayClasses: [{ gatewayClass: 'gatewayclass-observed-generation-bump', observedGeneration: 1, conditions: [cond('Accepted')] }],
  },
  {
    name: 'GatewayClassObservedGenerationBump (description patched, generation 2)', source: 'gatewayclass-observed-generation-bump.go', support: 'Core',
    manifests: classBump(2),
    checks: [],
    gatewayClasses: [{ gatewayClass: 'gatewayclass-observed-generation-bump', observedGeneration: 2, conditions: [cond('Accepted')] }],
  },
  // gateway-static-addresses.yaml with the suite's placeholders filled as a run on this host would:
  // a usable address of its loopback range and an unusable documentation address (RFC 5737).
  // The suite then patches the addresses away one by one (each patch one more generation).
  {
    name: 'GatewayStaticAddresses (an unsupported address type: not accepted)', source: 'gateway-static-addresses.go', support: 'Extended',
    manifests: staticAddresses(1, [INVALID_ADDRESS, UNUSABLE_ADDRESS, USABLE_ADDRESS]),
    checks: [],
    gateways: [{ gateway: 'gateway-static-addresses', observedGeneration: 1, conditions: [cond('Accepted', 'False', 'UnsupportedAddress')] }],
  },
  {
    name: 'GatewayStaticAddresses (the invalid address removed: accepted, not programmed for the unusable one)', source: 'gateway-static-addresses.go', support: 'Extended',
    manifests: staticAddresses(2, [UNUSABLE_ADDRESS, USABLE_ADDRESS]),
    checks: [],
    gateways: [{ gateway: 'gateway-static-addresses', observedGeneration: 2,
      conditions: [cond('Accepted', 'True', 'Accepted'), cond('Programmed', 'False', 'AddressNotUsable')] }],
  },
  {
    name: 'GatewayStaticAddresses (the unusable address removed: programmed, the usable address in status)', source: 'gateway-static-addresses.go', support: 'Extended',
    manifests: staticAddresses(3, [USABLE_ADDRESS]),
    checks: [],
    gateways: [{ gateway: 'gateway-static-addresses', observedGeneration: 3,
      conditions: [cond('Accepted', 'True', 'Accepted'), cond('Programmed', 'True', 'Programmed')],
      listeners: [listener('http', 0, valid)],
      addresses: ['127.0.0.2'] }],
  },
  {
    // gateway-optional-address-value.yaml: an IPAddress without a value asks for one to be
    // assigned; the suite waits for any address (WaitForGatewayAddress), here the published one.
    name: 'GatewayOptionalAddressValue', source: 'gateway-optional-address-value.go', support: 'Extended',
    manifests: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-without-address-value, namespace: ${INFRA}, generation: 1}
spec:
  gatewayClassName: berth
  addresses: [{type: IPAddress}]
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`,
    checks: [],
    gateways: [{ ...ready('gateway-without-address-value', 1), addresses: ['127.0.0.1'] }],
  },
  {
    name: 'GatewayModifyListeners (as applied, generation 1)', source: 'gateway-modify-listeners.go', support: 'Core',
    manifests: modifyListeners(1, 1),
    checks: [],
    gateways: [ready('gateway-add-listener', 1), ready('gateway-remove-listener', 1)],
  },
  {
    name: 'GatewayModifyListeners (listener http added to gateway-add-listener, generation 2)', source: 'gateway-modify-listeners.go', support: 'Core',
    manifests: modifyListeners(2, 1),
    checks: [],
    gateways: [
      { ...ready('gateway-add-listener', 2), listeners: [listener('https', 1, valid), listener('http', 1, valid)] },
      ready('gateway-remove-listener', 1),
    ],
  },
  {
    name: 'GatewayModifyListeners (listener https removed from gateway-remove-listener, generation 2)', source: 'gateway-modify-listeners.go', support: 'Core',
    manifests: modifyListeners(2, 2),
    checks: [],
    gateways: [ready('gateway-add-listener', 2), { ...ready('gateway-remove-listener', 2), listeners: [listener('http', 1, valid)] }],
  },
];
