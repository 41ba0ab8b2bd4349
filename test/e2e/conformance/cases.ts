// Types of the ported Gateway API conformance cases (test/e2e/conformance-core.test.ts).

/** The Gateway listener port a request goes to ("<namespace>/<gateway>:<port>"). */
export type ListenerName = string;

export const SAME_NAMESPACE: ListenerName = 'gateway-conformance-infra/same-namespace:80';

/** Check: one request of a case and what must come back (upstream http.ExpectedResponse). */
export interface Check {
  gateway?: ListenerName;
  /** Sent to the HTTPS listeners' socket (--proxy-listen-tls) with the Host as SNI. */
  tls?: boolean;
  /** With `tls`: the SNI, when it is not the Host (the suite's serverName). */
  sni?: string;
  /** With `tls`: over HTTP/2 (the suite's roundtripper.H2Protocol), one connection per request. */
  h2?: boolean;
  method?: string;
  host?: string;
  path: string;
  headers?: Record<string, string>;
  /** Response headers the echo backend must set (the suite's BackendSetResponseHeaders, sent as X-Echo-Set-Header). */
  backendSets?: Record<string, string>;
  /** Expected status; 200 when `backend` is set. */
  status?: number;
  /** The Service that must answer. */
  backend?: string;
  /** What the backend must have received; a null header must be absent; repeated lines joined with ",". */
  upstream?: { path?: string; host?: string; headers?: Record<string, string | null> };
  /** The exact Location of a redirect. */
  location?: string;
  /** Response headers; null = absent; repeated lines joined with ",". */
  responseHeaders?: Record<string, string | null>;
}

/** RouteCondition: a condition a route's status must carry for one of its parents. */
export interface RouteCondition {
  route: string;
  namespace?: string;
  parent: string;
  type: string;
  status: 'True' | 'False';
  /** Omitted: any reason (the suite's empty Reason, e.g. in HTTPRouteMustHaveCondition). */
  reason?: string;
  /** The generation the condition must have observed (HTTPRouteMustHaveLatestConditions). */
  observedGeneration?: number;
}

/** Detached: a route no parent accepted, on a Gateway with no route attached (HTTPRouteMustHaveNoAcceptedParents, GatewayMustHaveZeroRoutes). */
export interface Detached {
  route: string;
  gateway: string;
}

/** ExpectedCondition: a condition that must be in a list (kubernetes.findConditionInList); an omitted status or reason matches any. */
export interface ExpectedCondition {
  type: string;
  status?: 'True' | 'False';
  reason?: string;
}

/** ExpectedListener: one entry of a Gateway's status.listeners, compared as kubernetes.gatewayListenersMatch does. */
export interface ExpectedListener {
  name: string;
  /** Kinds (group gateway.networking.k8s.io) that must be among supportedKinds; [] = supportedKinds must be empty. */
  supportedKinds: string[];
  attachedRoutes: number;
  /** Each must be present (conditionsMatch); the listener may carry more. */
  conditions: ExpectedCondition[];
}

/**
 * GatewayExpectation: what a Gateway's status must show (GatewayStatusMustHaveListeners,
 * GatewayMustHaveCondition, GatewayMustHaveLatestConditions); the Gateway must have a status.
 */
export interface GatewayExpectation {
  gateway: string;
  namespace?: string;
  /** status.listeners: exactly these listeners, each matching; omitted: not checked. */
  listeners?: ExpectedListener[];
  /** Gateway conditions that must be present (e.g. NamespacesMustBeReady's Accepted and Programmed). */
  conditions?: ExpectedCondition[];
  /** The manifest's metadata.generation: every Gateway condition must have observed it (ConditionsHaveLatestObservedGeneration). */
  observedGeneration?: number;
  /** status.addresses' values, exactly and in order (WaitForGatewayAddress asks for one; GatewayStaticAddresses for these). */
  addresses?: string[];
}

/** GatewayClassExpectation: a GatewayClass's conditions and the generation they must all have observed. */
export interface GatewayClassExpectation {
  gatewayClass: string;
  conditions: ExpectedCondition[];
  observedGeneration: number;
}

/** Distribution: the share of requests each Service must answer (conformance/utils/weight/weight.go). */
export interface Distribution {
  path: string;
  weights: Record<string, number>;
}

export interface Case {
  /** The suite's test name (ShortName). */
  name: string;
  /** The upstream file the case is ported from (kubernetes-sigs/gateway-api conformance/tests/). */
  source: string;
  support: 'Core' | 'Extended';
  /** The case's manifests; a function gets the echo backends' port (for hand-written EndpointSlices). */
  manifests: string | ((backendPort: number) => string);
  checks: Check[];
  conditions?: RouteCondition[];
  detached?: Detached[];
  gateways?: GatewayExpectation[];
  gatewayClasses?: GatewayClassExpectation[];
  distribution?: Distribution;
}

/** route renders an HTTPRoute in gateway-conformance-infra (most cases' shape). */
export function route(name: string, spec: string, namespace = 'gateway-conformance-infra'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec.replace(/^/gm, '  ')}
`;
}

/** gateway renders a Gateway in gateway-conformance-infra with `listeners` (YAML list items). */
export function gateway(name: string, listeners: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: berth
  listeners:
${listeners.replace(/^/gm, '    ')}
`;
}

export const v1 = 'infra-backend-v1';
export const v2 = 'infra-backend-v2';
export const v3 = 'infra-backend-v3';
