import { hostname } from 'node:os';
import { EventsV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { Permission } from '../sources/kube-kinds.js';
import type { TranslationEvent } from '../types.js';

/** EVENT_PERMISSIONS: events are created through events.k8s.io/v1, never updated. */
export const EVENT_PERMISSIONS: readonly Permission[] = [{ group: 'events.k8s.io', resource: 'events', verbs: ['create'] }];

/** CLUSTER_EVENT_NAMESPACE: cluster-scoped objects (GatewayClass) have no namespace; their events go here, as kubectl's do. */
const CLUSTER_EVENT_NAMESPACE = 'default';
/** Limits from pkg/apis/core/validation/events.go: the Events API rejects longer values with 422. */
const MAX_NOTE = 1024;
const MAX_REPORTING_INSTANCE = 128;
/** MAX_NAME: metadata.name is a DNS subdomain (events.k8s.io/v1 validates it strictly). */
const MAX_NAME = 253;
/** MAX_REMEMBERED bounds remembered events: a translation that reports ever-new messages must not grow memory. */
const MAX_REMEMBERED = 5000;

/**
 * EventRecorder creates each translation event once while the translator keeps reporting it: an
 * event that disappears from the results and comes back is a new occurrence and is created again.
 * A failed create is not remembered, so the next publish retries it.
 */
export class EventRecorder {
  private readonly api: EventsV1Api;
  private emitted = new Set<string>();
  private readonly instance: string;
  private lastStamp = 0n;

  constructor(kc: KubeConfig, private readonly controller: string, private readonly log: Logger, instance = hostname()) {
    this.api = kc.makeApiClient(EventsV1Api);
    this.instance = utf8Prefix(instance, MAX_REPORTING_INSTANCE);
  }

  /** record creates the events not already created; resolves to how many creates failed. */
  async record(events: readonly TranslationEvent[]): Promise<number> {
    const next = new Set<string>();
    let failed = 0;
    for (const event of events) {
      const key = eventKey(event);
      if (next.has(key) || next.size >= MAX_REMEMBERED) continue;
      if (this.emitted.has(key) || (await this.create(event))) next.add(key);
      else failed++;
    }
    this.emitted = next;
    return failed;
  }

  private async create(event: TranslationEvent): Promise<boolean> {
    const ref = event.involvedObject;
    const namespace = ref.namespace ?? CLUSTER_EVENT_NAMESPACE;
    try {
      await this.api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: this.eventName(ref.name), namespace },
          // Six fractional digits: the API server rejects a plain Date's milliseconds here (kubernetes#89156).
          eventTime: new V1MicroTime(),
          type: event.type,
          reason: event.reason,
          note: utf8Prefix(event.message, MAX_NOTE),
          action: 'Translate',
          reportingController: this.controller,
          reportingInstance: this.instance,
          regarding: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, uid: ref.uid },
        },
      });
      return true;
    } catch (err) {
      this.log.warn({ err: String(err), reason: event.reason, object: `${ref.kind}/${ref.namespace ?? ''}/${ref.name}` },
        'creating an event failed; will retry on the next publish');
      return false;
    }
  }

  /**
   * eventName names an event "<object>.<hex nanoseconds>" as client-go's event recorder does
   * (staging/src/k8s.io/client-go/tools/events/event_recorder.go). A generateName of "<object>."
   * is refused: the API server validates generateName itself as a DNS subdomain, and one ending in
   * '.' is not (staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go, generic.go).
   * The stamp is strictly increasing so two events in one tick never collide.
   */
  private eventName(object: string): string {
    let stamp = BigInt(Date.now()) * 1_000_000n;
    if (stamp <= this.lastStamp) stamp = this.lastStamp + 1n;
    this.lastStamp = stamp;
    const suffix = `.${stamp.toString(16)}`;
    const base = object.slice(0, MAX_NAME - suffix.length).replace(/[.-]+$/, '');
    return `${base}${suffix}`;
  }
}

/** utf8Prefix: the API server's limits count UTF-8 bytes (Go's len), so cut there, on a character boundary. */
function utf8Prefix(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

function eventKey(e: TranslationEvent): string {
  const r = e.involvedObject;
  return `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}|${e.type}|${e.reason}|${e.message}`;
}
