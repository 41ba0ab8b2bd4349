import type { GatewayConfig } from '../config/types.js';

/**
 * The contract between the control plane's sources (folder, cluster), its translator and its
 * status writer. Sources produce KubeObjects; the translator turns a Snapshot of them into a
 * GatewayConfig plus the statuses and events to write back. No Kubernetes client types here.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  /** Secrets */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  /** EndpointSlices keep these at the top level. */
  addressType?: string;
  endpoints?: any[];
  ports?: any[];
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface TranslateOptions {
  /** GatewayClass.spec.controllerName we manage (default konghq.com/kic-gateway-controller). */
  controllerName: string;
  /** Ingress class we manage (default kong). */
  ingressClass: string;
  /** Keep terminating endpoints with weight 0 (default true). */
  enableDrainSupport: boolean;
  /** Only objects in these namespaces are read; empty = all. */
  watchNamespaces: string[];
  /** --publish-status-address: the addresses Gateways and Ingresses report; wins over the rest. */
  publishStatusAddresses?: string[];
  /** --publish-service "namespace/name": its load-balancer ingress, else its ClusterIP, is reported. */
  publishService?: string;
  /** Reported when neither flag gives an address (manifests mode: the proxy's listen host). */
  defaultStatusAddresses?: string[];
  /**
   * The CIDRs of the host's interfaces, where the proxy serving the Gateways runs on this host
   * (berth run with --manifests): a Gateway's static address outside them is AddressNotUsable.
   * Undefined: not judged (in a cluster an address may belong to a load balancer).
   */
  bindableAddresses?: string[];
}

/** The full `status` object the translator wants on one object (written to the status subresource). */
export interface ObjectStatus {
  ref: ObjectRef;
  status: Record<string, unknown>;
}

export interface TranslationEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: ObjectRef;
}

export interface TranslateResult {
  config: GatewayConfig;
  statuses: ObjectStatus[];
  events: TranslationEvent[];
}

export const DEFAULT_TRANSLATE_OPTIONS: TranslateOptions = {
  controllerName: 'konghq.com/kic-gateway-controller',
  ingressClass: 'kong',
  enableDrainSupport: true,
  watchNamespaces: [],
};
