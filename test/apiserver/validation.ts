import type { Resource } from './resources.js';
import { StoreError } from './store.js';
import { isQualifiedName, nameIsDns1035Label, nameIsDnsLabel, nameIsDnsSubdomain, type NameRule } from './names.js';

/**
 * What kube-apiserver validates on the writes berth makes, with its messages and its 422 Status
 * shape (staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go NewInvalid, and
 * .../util/validation/field/errors.go for each cause's text):
 * - metadata (staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMeta):
 *   generateName and name by the kind's name rule, namespace a DNS label, generation >= 0; on an
 *   update of a custom resource, metadata.resourceVersion is required (CRDs do not allow
 *   unconditional updates);
 * - events.k8s.io/v1 Events (pkg/apis/core/validation/events.go ValidateEventCreate, strict path);
 * - core/v1 Events (the legacy path of the same file);
 * - Leases (pkg/apis/coordination/validation/validation.go ValidateLeaseSpec).
 */

interface FieldError {
  type: 'Invalid' | 'Required' | 'Forbidden';
  field: string;
  value?: unknown;
  detail: string;
}

const CAUSE_REASON = { Invalid: 'FieldValueInvalid', Required: 'FieldValueRequired', Forbidden: 'FieldValueForbidden' } as const;

/** NAME_RULES: kinds whose names are not DNS subdomains (pkg/apis/core/validation/validation.go). */
const NAME_RULES: Record<string, NameRule> = {
  '/namespaces': nameIsDnsLabel,
  '/services': nameIsDns1035Label,
};

/** validateCreate throws the API server's 422 for an object that fails create validation. */
export function validateCreate(res: Resource, obj: any, requestedGenerateName: string | undefined): void {
  const errs = [...metadataErrors(res, obj, requestedGenerateName), ...kindErrors(res, obj)];
  if (errs.length > 0) throw invalid(res, obj.metadata?.name ?? '', errs);
}

/** validateUpdate: a PUT/PATCH result; `conditional` is whether the client's body carried a resourceVersion. */
export function validateUpdate(res: Resource, obj: any, hadResourceVersion: boolean): void {
  const errs = [...metadataErrors(res, obj, undefined), ...kindErrors(res, obj)];
  if (!hadResourceVersion && isCustomResource(res)) {
    errs.unshift({ type: 'Invalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' });
  }
  if (errs.length > 0) throw invalid(res, obj.metadata?.name ?? '', errs);
}

function isCustomResource(res: Resource): boolean {
  return res.group === 'gateway.networking.k8s.io' || res.group === 'configuration.konghq.com';
}

function metadataErrors(res: Resource, obj: any, generateName: string | undefined): FieldError[] {
  const meta = obj.metadata ?? {};
  const rule = NAME_RULES[`${res.group}/${res.plural}`] ?? nameIsDnsSubdomain;
  const errs: FieldError[] = [];
  if (generateName) {
    for (const msg of rule(generateName, true)) errs.push({ type: 'Invalid', field: 'metadata.generateName', value: generateName, detail: msg });
  }
  if (!meta.name) errs.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  else for (const msg of rule(String(meta.name), false)) errs.push({ type: 'Invalid', field: 'metadata.name', value: meta.name, detail: msg });
  if (res.namespaced) {
    if (!meta.namespace) errs.push({ type: 'Required', field: 'metadata.namespace', detail: '' });
    else for (const msg of nameIsDnsLabel(meta.namespace, false)) errs.push({ type: 'Invalid', field: 'metadata.namespace', value: meta.namespace, detail: msg });
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push({ type: 'Invalid', field: 'metadata.generation', value: meta.generation, detail: 'must be greater than or equal to 0' });
  }
  return errs;
}

function kindErrors(res: Resource, obj: any): FieldError[] {
  switch (`${res.group}/${res.plural}`) {
    case 'events.k8s.io/events': return eventsV1Errors(obj);
    case '/events': return legacyEventErrors(obj.metadata?.namespace, obj.involvedObject?.namespace, !!obj.eventTime);
    case 'coordination.k8s.io/leases': return leaseErrors(obj.spec ?? {});
    default: return [];
  }
}

const LIMIT = { reportingInstance: 128, action: 128, reason: 128, note: 1024 };

/** eventsV1Errors: events.k8s.io/v1 maps regarding -> involvedObject and note -> message, the paths events.go reports. */
function eventsV1Errors(e: any): FieldError[] {
  const errs = legacyEventErrors(e.metadata?.namespace, e.regarding?.namespace, !!e.eventTime);
  const need = (value: unknown, field: string): void => {
    if (!value) errs.push({ type: 'Required', field, detail: '' });
  };
  const atMost = (value: unknown, field: string, limit: number): void => {
    // Go's len() counts bytes: the limits are UTF-8 bytes, not characters.
    if (typeof value === 'string' && Buffer.byteLength(value) > limit) errs.push({ type: 'Invalid', field, value: '', detail: `can have at most ${limit} characters` });
  };
  need(e.reportingController, 'reportingController');
  for (const msg of isQualifiedName(String(e.reportingController ?? ''))) {
    errs.push({ type: 'Invalid', field: 'reportingController', value: e.reportingController ?? '', detail: msg });
  }
  need(e.reportingInstance, 'reportingInstance');
  atMost(e.reportingInstance, 'reportingInstance', LIMIT.reportingInstance);
  need(e.action, 'action');
  atMost(e.action, 'action', LIMIT.action);
  need(e.reason, 'reason');
  atMost(e.reason, 'reason', LIMIT.reason);
  atMost(e.note, 'message', LIMIT.note);
  need(e.eventTime, 'eventTime');
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push({ type: 'Invalid', field: 'type', value: '', detail: `has invalid value: ${e.type ?? ''}` });
  for (const [field, path] of [['firstTimestamp', 'deprecatedFirstTimestamp'], ['lastTimestamp', 'deprecatedLastTimestamp']] as const) {
    if (e[path]) errs.push({ type: 'Invalid', field, value: '', detail: 'needs to be unset' });
  }
  if (e.deprecatedCount) errs.push({ type: 'Invalid', field: 'count', value: '', detail: 'needs to be unset' });
  if (e.deprecatedSource?.component || e.deprecatedSource?.host) errs.push({ type: 'Invalid', field: 'source', value: '', detail: 'needs to be unset' });
  if (e.series) {
    if (!(e.series.count >= 2)) errs.push({ type: 'Invalid', field: 'series.count', value: '', detail: 'should be at least 2' });
    if (!e.series.lastObservedTime) errs.push({ type: 'Required', field: 'series.lastObservedTime', detail: '' });
  }
  return errs;
}

/** legacyEventErrors: an event's namespace must match its object's (cluster-scoped objects: "default" or "kube-system"). */
function legacyEventErrors(namespace: string | undefined, objectNamespace: string | undefined, hasEventTime: boolean): FieldError[] {
  const ns = namespace ?? '';
  const ons = objectNamespace ?? '';
  const ok = hasEventTime
    ? ons !== '' || ns === 'default' || ns === 'kube-system'
    : ons === '' ? ns === '' || ns === 'default' : ns === ons;
  return ok ? [] : [{ type: 'Invalid', field: 'involvedObject.namespace', value: ons, detail: 'does not match event.namespace' }];
}

function leaseErrors(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push({ type: 'Invalid', field: 'spec.leaseDurationSeconds', value: spec.leaseDurationSeconds, detail: 'must be greater than 0' });
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push({ type: 'Invalid', field: 'spec.leaseTransitions', value: spec.leaseTransitions, detail: 'must be greater than or equal to 0' });
  }
  return errs;
}

/** INT32_FIELDS: int32 fields the API server's JSON decoder refuses a fraction or a string for (400, before validation). */
const INT32_FIELDS: Record<string, Array<[string, string]>> = {
  'coordination.k8s.io/leases': [['spec.leaseDurationSeconds', 'LeaseSpec'], ['spec.leaseTransitions', 'LeaseSpec']],
  'events.k8s.io/events': [['series.count', 'EventSeries'], ['deprecatedCount', 'Event']],
};

/** checkIntegers returns the decoder's error for a non-integer int32 field, or null. */
export function checkIntegers(res: Resource, obj: any): string | null {
  for (const [path, goType] of INT32_FIELDS[`${res.group}/${res.plural}`] ?? []) {
    const value = path.split('.').reduce((cur, key) => (cur == null ? undefined : cur[key]), obj);
    if (value == null) continue;
    if (!Number.isInteger(value) || value > 2 ** 31 - 1 || value < -(2 ** 31)) {
      const what = typeof value === 'number' ? `number ${value}` : typeof value;
      return `json: cannot unmarshal ${what} into Go struct field ${goType}.${path} of type int32`;
    }
  }
  return null;
}

/** invalid builds NewInvalid's StatusError: "Kind.group \"name\" is invalid: <causes>" plus details.causes. */
function invalid(res: Resource, name: string, errs: FieldError[]): StoreError {
  const texts = errs.map(errorText);
  const kind = res.group ? `${res.kind}.${res.group}` : res.kind;
  const message = `${kind} "${name}" is invalid: ${texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`}`;
  const causes = errs.map((e) => ({ reason: CAUSE_REASON[e.type], message: bodyText(e), field: e.field }));
  return new StoreError(422, 'Invalid', message, { name, group: res.group, kind: res.kind, causes });
}

function errorText(e: FieldError): string {
  return `${e.field}: ${bodyText(e)}`;
}

/** bodyText: field.Error.ErrorBody — the type, the value for Invalid (strings quoted), then the detail. */
function bodyText(e: FieldError): string {
  if (e.type === 'Invalid') return `Invalid value: ${typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value)}: ${e.detail}`;
  const type = e.type === 'Required' ? 'Required value' : 'Forbidden';
  return e.detail ? `${type}: ${e.detail}` : type;
}
