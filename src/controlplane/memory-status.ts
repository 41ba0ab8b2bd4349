import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusSink } from './sinks.js';
import type { ObjectRef, ObjectStatus, TranslateResult, TranslationEvent } from './types.js';

/** The part of the Gateway the admin routes need. */
export interface AdminRouter {
  addAdminRoute(method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
}

/** RecordedEvent is a TranslationEvent as the Events API would keep it: deduplicated with a count. */
export interface RecordedEvent extends TranslationEvent {
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

/** Enough history to debug a session without letting a flapping object grow memory forever. */
const MAX_EVENTS = 500;

/**
 * MemoryStatusSink keeps the latest statuses and events in memory (manifests mode, where there is
 * no API server to write them to) and serves them on the admin API.
 */
export class MemoryStatusSink implements StatusSink {
  #statuses: ObjectStatus[] = [];
  readonly #events = new Map<string, RecordedEvent>();

  constructor(private readonly now: () => number = Date.now) {}

  async publish(result: TranslateResult): Promise<void> {
    this.#statuses = [...result.statuses].sort((a, b) => refKey(a.ref).localeCompare(refKey(b.ref)));
    const at = new Date(this.now()).toISOString();
    for (const event of result.events) this.#record(event, at);
  }

  /** statuses returns the latest status of every object the translator reported on. */
  statuses(filter: Partial<Pick<ObjectRef, 'kind' | 'namespace' | 'name'>> = {}): ObjectStatus[] {
    return this.#statuses.filter((s) =>
      (filter.kind === undefined || s.ref.kind === filter.kind) &&
      (filter.namespace === undefined || s.ref.namespace === filter.namespace) &&
      (filter.name === undefined || s.ref.name === filter.name));
  }

  /** events returns recorded events, least recently seen first. */
  events(): RecordedEvent[] {
    return [...this.#events.values()];
  }

  /** register serves GET /kubernetes/status (?kind=&namespace=&name=) and GET /kubernetes/events. */
  register(admin: AdminRouter): void {
    admin.addAdminRoute('GET', '/kubernetes/status', (req, res) => {
      const q = new URL(req.url ?? '/', 'http://admin').searchParams;
      const filter = { kind: q.get('kind') ?? undefined, namespace: q.get('namespace') ?? undefined, name: q.get('name') ?? undefined };
      sendJson(res, { data: this.statuses(filter), next: null });
    });
    admin.addAdminRoute('GET', '/kubernetes/events', (_req, res) => sendJson(res, { data: this.events(), next: null }));
  }

  #record(event: TranslationEvent, at: string): void {
    const key = `${refKey(event.involvedObject)}|${event.type}|${event.reason}|${event.message}`;
    const existing = this.#events.get(key);
    this.#events.delete(key); // re-insert so the map's order stays "least recently seen first"
    this.#events.set(key, existing
      ? { ...existing, count: existing.count + 1, lastTimestamp: at }
      : { ...event, count: 1, firstTimestamp: at, lastTimestamp: at });
    if (this.#events.size > MAX_EVENTS) this.#events.delete(this.#events.keys().next().value!);
  }
}

function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
