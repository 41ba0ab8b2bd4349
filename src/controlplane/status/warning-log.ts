import type { Logger } from '../../lib/log.js';
import type { TranslationEvent } from '../types.js';

/** MAX_REMEMBERED bounds what is remembered, as in events.ts: ever-new messages must not grow memory. */
const MAX_REMEMBERED = 5000;

/**
 * WarningLog writes one warn-level log line per Warning event when it first appears (a rejected
 * KongUpstreamPolicy, a conflict), naming the object and the reason, so a failure that is only an
 * Event in the cluster (or on /kubernetes/events) is also in the log. A warning the translator keeps
 * reporting is not repeated on every re-translation; one that went away and came back is logged again.
 */
export class WarningLog {
  private seen = new Set<string>();

  constructor(private readonly log: Logger) {}

  report(events: readonly TranslationEvent[]): void {
    const next = new Set<string>();
    for (const event of events) {
      if (event.type !== 'Warning' || next.size >= MAX_REMEMBERED) continue;
      const ref = event.involvedObject;
      const key = `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}|${event.reason}|${event.message}`;
      if (next.has(key)) continue;
      next.add(key);
      if (this.seen.has(key)) continue;
      this.log.warn({ kind: ref.kind, namespace: ref.namespace, name: ref.name, reason: event.reason, message: event.message },
        `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${event.reason}`);
    }
    this.seen = next;
  }
}
