// Core HTTPRoute cases about backendRefs and parentRefs, ported from kubernetes-sigs/gateway-api
// conformance/tests/ (each case names its file): unresolvable backends answer 500 and report
// ResolvedRefs=False with the spec's reason; parentRefs that match nothing are not accepted.
import { route, v1, type Case } from './cases.js';

const grant = (name: string, ns: string, from: string, to: string): string => `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: ${name}, namespace: ${ns}}
spec:
  from: [${from}]
  to: [${to}]
`;
const FROM_ROUTES = '{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: gateway-conformance-infra}';
const TO_WEB = '{group: "", kind: Service, name: web-backend}';
const WEB_REF = 'backendRefs: [{name: web-backend, namespace: gateway-conformance-web-backend, port: 8080}]';
const resolved = (r: string, reason: string, status: 'True' | 'False' = 'False') => ({ route: r, parent: 'same-namespace', type: 'ResolvedRefs', status, reason });

export const BACKEND_CASES: Case[] = [
  {
    name: 'HTTPRouteInvalidBackendRefUnknownKind', source: 'httproute-invalid-backendref-unknown-kind.go', support: 'Core',
    manifests: route('invalid-backend-ref-unknown-kind', `parentRefs: [{name: same-namespace}]
rules:
- backendRefs: [{group: unknownkind.example.com, kind: NonExistent, name: ${v1}, port: 8080}]`),
    checks: [{ path: '/v2', status: 500 }],
    conditions: [resolved('invalid-backend-ref-unknown-kind', 'InvalidKind')],
  },
  {
    name: 'HTTPRouteInvalidNonExistentBackendRef', source: 'httproute-invalid-nonexistent-backendref.go', support: 'Core',
    manifests: route('invalid-nonexistent-backend-ref', `parentRefs: [{name: same-namespace}]
rules:
- backendRefs: [{name: nonexistent, namespace: gateway-conformance-infra, port: 8080}]`),
    checks: [{ path: '/', status: 500 }],
    conditions: [resolved('invalid-nonexistent-backend-ref', 'BackendNotFound')],
  },
  {
    name: 'HTTPRouteNoBackendRefs', source: 'httproute-omitted-backendrefs.go', support: 'Core',
    manifests: route('omitted-backendrefs', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: Exact, value: /omitted-no-forward}}]
- matches: [{path: {type: Exact, value: /empty-no-forward}}]
  backendRefs: []
- matches: [{path: {type: PathPrefix, value: /}}]
  backendRefs: [{name: ${v1}, port: 8080}]`),
    checks: [{ path: '/forward', backend: v1 }, { path: '/omitted-no-forward', status: 500 }, { path: '/empty-no-forward', status: 500 }],
    conditions: [resolved('omitted-backendrefs', 'ResolvedRefs', 'True')],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceBackendRef', source: 'httproute-invalid-cross-namespace-backend-ref.go', support: 'Core',
    manifests: route('invalid-cross-namespace-backend-ref', `parentRefs: [{name: same-namespace}]\nrules:\n- ${WEB_REF}`),
    checks: [{ path: '/', status: 500 }],
    conditions: [resolved('invalid-cross-namespace-backend-ref', 'RefNotPermitted')],
  },
  {
    name: 'HTTPRouteInvalidReferenceGrant', source: 'httproute-invalid-reference-grant.go', support: 'Core',
    manifests: [
      grant('reference-grant-wrong-namespace', 'gateway-conformance-infra', FROM_ROUTES, TO_WEB),
      grant('reference-grant-wrong-from-group', 'gateway-conformance-web-backend', '{group: not-the-group-youre-looking-for, kind: HTTPRoute, namespace: gateway-conformance-infra}', TO_WEB),
      grant('reference-grant-wrong-from-kind', 'gateway-conformance-web-backend', '{group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway-conformance-infra}', TO_WEB),
      grant('reference-grant-wrong-from-namespace', 'gateway-conformance-web-backend', '{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: not-the-namespace-youre-looking-for}', TO_WEB),
      grant('reference-grant-wrong-to-group', 'gateway-conformance-web-backend', FROM_ROUTES, '{group: not-the-group-youre-looking-for, kind: Service, name: web-backend}'),
      grant('reference-grant-wrong-to-kind', 'gateway-conformance-web-backend', FROM_ROUTES, '{group: "", kind: Secret, name: web-backend}'),
      grant('reference-grant-wrong-to-name', 'gateway-conformance-web-backend', FROM_ROUTES, '{group: "", kind: Secret, name: not-the-service-youre-looking-for}'),
      route('reference-grant', `parentRefs: [{name: same-namespace}]\nrules:\n- ${WEB_REF}`),
    ].join('---\n'),
    checks: [{ path: '/', status: 500 }],
    conditions: [resolved('reference-grant', 'RefNotPermitted')],
  },
  {
    name: 'HTTPRouteReferenceGrant', source: 'httproute-reference-grant.go', support: 'Core',
    manifests: grant('reference-grant', 'gateway-conformance-web-backend', FROM_ROUTES, TO_WEB) + '---\n' +
      route('reference-grant', `parentRefs: [{name: same-namespace}]\nrules:\n- ${WEB_REF}`),
    checks: [{ path: '/', backend: 'web-backend' }],
    conditions: [resolved('reference-grant', 'ResolvedRefs', 'True')],
  },
  {
    name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', source: 'httproute-partially-invalid-via-invalid-reference-grant.go', support: 'Core',
    manifests: grant('invalid-reference-grant', 'gateway-conformance-app-backend', FROM_ROUTES, '{group: "", kind: Service, name: app-backend-v1}') + '---\n' +
      route('invalid-reference-grant', `parentRefs: [{name: same-namespace}]
rules:
- matches: [{path: {type: PathPrefix, value: /v2}}]
  backendRefs: [{name: app-backend-v2, namespace: gateway-conformance-app-backend, port: 8080}]
- backendRefs: [{name: app-backend-v1, namespace: gateway-conformance-app-backend, port: 8080}]`),
    checks: [{ path: '/v2', status: 500 }, { path: '/', backend: 'app-backend-v1' }],
    conditions: [resolved('invalid-reference-grant', 'RefNotPermitted')],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceParentRef', source: 'httproute-invalid-cross-namespace-parent-ref.go', support: 'Core',
    manifests: route('invalid-cross-namespace-parent-ref', `parentRefs: [{name: same-namespace, namespace: gateway-conformance-infra}]
rules:
- backendRefs: [{name: web-backend, port: 8080}]`, 'gateway-conformance-web-backend'),
    checks: [],
    conditions: [{ route: 'invalid-cross-namespace-parent-ref', namespace: 'gateway-conformance-web-backend', parent: 'same-namespace', type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingSectionName', source: 'httproute-invalid-parentref-not-matching-section-name.go', support: 'Core',
    manifests: route('httproute-listener-not-matching-section-name', `parentRefs: [{name: same-namespace, namespace: gateway-conformance-infra, port: 80, sectionName: http1}]
rules:
- backendRefs: [{name: ${v1}, kind: Service, port: 8080}]`),
    checks: [],
    conditions: [{ route: 'httproute-listener-not-matching-section-name', parent: 'same-namespace', type: 'Accepted', status: 'False', reason: 'NoMatchingParent' }],
  },
];
