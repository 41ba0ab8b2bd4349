import type { HashOn, HealthchecksConfig, UpstreamConfig } from '../../config/types.js';
import { PolicyValidator } from '../policy/validate.js';
import type { KubeObject, TranslationEvent } from '../types.js';
import type { Reader } from './reader.js';
import { TRANSLATION_FAILED, warning, type PolicyUse } from './status.js';

export const UPSTREAM_POLICY_ANNOTATION = 'konghq.com/upstream-policy';
export const POLICY_CONFLICT = 'PolicyConflict';

let validator: PolicyValidator | undefined;

/** policyValidator is built on first use (it reads and compiles the CRD once per process). */
function policyValidator(): PolicyValidator {
  validator ??= new PolicyValidator();
  return validator;
}

type HashSpec = { input?: string; header?: string; cookie?: string; cookiePath?: string; queryArg?: string; uriCapture?: string };

function hashFields(h: HashSpec | undefined, prefix: 'hash_on' | 'hash_fallback'): Partial<UpstreamConfig> {
  if (h === undefined) return {};
  const out: Record<string, unknown> = {};
  if (h.input !== undefined) out[prefix] = h.input as HashOn;
  if (h.header !== undefined) Object.assign(out, { [prefix]: 'header', [`${prefix}_header`]: h.header });
  if (h.cookie !== undefined) {
    Object.assign(out, { [prefix]: 'cookie', [`${prefix}_cookie`]: h.cookie });
    if (h.cookiePath !== undefined) out[`${prefix}_cookie_path`] = h.cookiePath;
  }
  if (h.queryArg !== undefined) Object.assign(out, { [prefix]: 'query_arg', [`${prefix}_query_arg`]: h.queryArg });
  if (h.uriCapture !== undefined) Object.assign(out, { [prefix]: 'uri_capture', [`${prefix}_uri_capture`]: h.uriCapture });
  return out as Partial<UpstreamConfig>;
}

const SNAKE: Record<string, string> = {
  httpPath: 'http_path', httpsSni: 'https_sni', httpsVerifyCertificate: 'https_verify_certificate',
  httpStatuses: 'http_statuses', httpFailures: 'http_failures', tcpFailures: 'tcp_failures',
};

/** snake converts a healthchecks subtree key by key (headers keep their user-given names). */
function snake(value: unknown, key = ''): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || key === 'headers') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[SNAKE[k] ?? k] = snake(v, k);
  return out;
}

/** policyToUpstream maps a valid KongUpstreamPolicy spec onto upstream fields (semantics.md s1). */
export function policyToUpstream(spec: any): Partial<UpstreamConfig> {
  const out: Partial<UpstreamConfig> = {};
  if (spec.algorithm !== undefined) out.algorithm = spec.algorithm;
  if (spec.slots !== undefined) out.slots = spec.slots;
  Object.assign(out, hashFields(spec.hashOn, 'hash_on'), hashFields(spec.hashOnFallback, 'hash_fallback'));
  if (spec.stickySessions !== undefined) {
    out.sticky_sessions_cookie = spec.stickySessions.cookie;
    out.sticky_sessions_cookie_path = spec.stickySessions.cookiePath ?? '/';
  }
  if (spec.healthchecks !== undefined) out.healthchecks = snake(spec.healthchecks) as HealthchecksConfig;
  return out;
}

/** policyValidatorErrors validates a policy spec against the CRD (cached per spec object). */
export function policyValidatorErrors(spec: unknown): string[] {
  return policyValidator().validate(spec);
}

/** GroupPolicy: the upstream fields for one backend group, and what to report about it. */
export interface GroupPolicy {
  fields: Partial<UpstreamConfig>;
  uses: PolicyUse[];
  events: TranslationEvent[];
}

function serviceId(svc: KubeObject): { namespace: string; name: string } {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name };
}

/**
 * groupPolicy resolves the policy of the Services behind one backend group. They must all name
 * the same policy; on a mismatch berth keeps routing with the default algorithm and reports the
 * conflict (KIC would drop the service and its routes). An invalid policy is not applied.
 */
export function groupPolicy(reader: Reader, services: KubeObject[]): GroupPolicy {
  const names = services.map((s) => s.metadata.annotations?.[UPSTREAM_POLICY_ANNOTATION]);
  const named = names.filter((n): n is string => n !== undefined && n !== '');
  if (named.length === 0) return { fields: {}, uses: [], events: [] };
  // A policy lives in its Service's namespace: the same name in two namespaces is two policies.
  if (new Set(services.map((s, i) => `${s.metadata.namespace ?? ''}/${names[i] ?? ''}`)).size > 1) return conflict(services, names);
  const svc = services[0]!;
  const ns = svc.metadata.namespace ?? '';
  const policy = reader.get('KongUpstreamPolicy', ns, named[0]!);
  if (policy === undefined) {
    return { fields: {}, uses: [], events: services.map((s) => warning(s, TRANSLATION_FAILED, `KongUpstreamPolicy ${ns}/${named[0]} not found`)) };
  }
  const errors = policyValidatorErrors(policy.spec);
  if (errors.length > 0) {
    const message = errors.join('; ');
    return {
      fields: {},
      uses: services.map((s) => ({ policy: { namespace: ns, name: named[0]! }, service: serviceId(s), state: 'invalid', message })),
      events: [warning(policy, TRANSLATION_FAILED, `invalid KongUpstreamPolicy: ${message}`)],
    };
  }
  return {
    fields: policyToUpstream(policy.spec),
    uses: services.map((s) => ({ policy: { namespace: ns, name: named[0]! }, service: serviceId(s), state: 'programmed', message: '' })),
    events: [],
  };
}

function conflict(services: KubeObject[], names: Array<string | undefined>): GroupPolicy {
  const list = services.map((s, i) => `${s.metadata.namespace}/${s.metadata.name}=${names[i] ?? '(none)'}`).join(', ');
  const message = `Services of one backend group use different KongUpstreamPolicies (${list}); routing with round-robin`;
  const uses: PolicyUse[] = [];
  services.forEach((s, i) => {
    const name = names[i];
    if (name !== undefined && name !== '') {
      uses.push({ policy: { namespace: s.metadata.namespace ?? '', name }, service: serviceId(s), state: 'conflicted', message });
    }
  });
  return { fields: {}, uses, events: services.map((s) => warning(s, POLICY_CONFLICT, message)) };
}
