import type { CertificateConfig, ServiceConfig, UpstreamConfig } from '../../config/types.js';
import type { KubeObject, ObjectRef, ObjectStatus, TranslationEvent } from '../types.js';

/** Condition: a metav1.Condition as written to a status subresource. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** PolicyUse: one Service's use of a KongUpstreamPolicy, aggregated into the policy's ancestors. */
export interface PolicyUse {
  policy: { namespace: string; name: string };
  service: { namespace: string; name: string };
  state: 'programmed' | 'conflicted' | 'invalid';
  message: string;
}

/** CertificateEntry: a certificate keyed by its Secret so several users share one entity. */
export interface CertificateEntry {
  key: string;
  certificate: CertificateConfig;
}

/** UnitOutput: what one translation unit (an HTTPRoute, an Ingress) contributes. */
export interface UnitOutput {
  services: ServiceConfig[];
  upstreams: UpstreamConfig[];
  certificates: CertificateEntry[];
  statuses: ObjectStatus[];
  events: TranslationEvent[];
  /** `<gateway key>\0<listener name>` per listener the unit attached to. */
  attachments: string[];
  policyUses: PolicyUse[];
}

export function emptyOutput(): UnitOutput {
  return { services: [], upstreams: [], certificates: [], statuses: [], events: [], attachments: [], policyUses: [] };
}

/** refOf builds the ObjectRef of an object for statuses and events. */
export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid !== undefined) ref.uid = obj.metadata.uid;
  return ref;
}

/** warning builds a Warning event about an object. */
export function warning(obj: KubeObject, reason: string, message: string): TranslationEvent {
  return { type: 'Warning', reason, message, involvedObject: refOf(obj) };
}

export const TRANSLATION_FAILED = 'KongConfigurationTranslationFailed';

/** ConditionFactory stamps conditions with the object's generation and keeps transition times. */
export class ConditionFactory {
  constructor(
    private readonly now: string,
    private readonly generation: number | undefined,
    private readonly previous: readonly unknown[] | undefined,
  ) {}

  make(type: string, ok: boolean, reason: string, message = ''): Condition {
    const status = ok ? 'True' : 'False';
    const prev = this.previous?.find((c): c is Condition => isCondition(c) && c.type === type);
    const cond: Condition = {
      type,
      status,
      reason,
      message,
      lastTransitionTime: prev !== undefined && prev.status === status ? prev.lastTransitionTime : this.now,
    };
    if (this.generation !== undefined) cond.observedGeneration = this.generation;
    return cond;
  }
}

function isCondition(c: unknown): c is Condition {
  return typeof c === 'object' && c !== null && typeof (c as Condition).type === 'string' &&
    typeof (c as Condition).lastTransitionTime === 'string';
}
