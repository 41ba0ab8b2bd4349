import http from 'node:http';
import type { Readable } from 'node:stream';
import type { MirrorDestination, PluginConfig, RouteConfig, ServiceConfig } from '../../config/types.js';
import type { DownstreamRequest } from '../proxy/downstream.js';
import { isDroppedRequestHeader } from '../proxy/headers.js';
import type { TargetState } from '../targets/target.js';
import type { UpstreamRuntime } from '../upstreams.js';

/** MirrorSource: what a mirror copies from the request being proxied (the engine's Attempt). */
export interface MirrorSource {
  readonly req: DownstreamRequest;
  readonly method: string;
  readonly query: string;
  readonly upstreamPath: string;
  /** Headers after the route's request-transformer, or null for the client's own. */
  readonly requestHeaders: string[] | null;
  readonly ctx: { readonly runtime: { readonly upstreams: ReadonlyMap<string, UpstreamRuntime> } };
}

/** A mirror that cannot keep up is dropped rather than buffered without bound or waited for. */
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 64;
const MIRROR_TIMEOUT_MS = 30_000;

/**
 * Mirror: berth's `request-mirror` plugin (HTTPRoute RequestMirror, apis/v1/httproute_types.go
 * HTTPRequestMirrorFilter), one destination: a fire-and-forget copy of the request to one target of an upstream.
 * The copy never pauses the client or the primary request: its body is teed from the chunks the
 * primary reads, a copy that falls behind (or too many at once) is dropped, its response is
 * discarded and its errors are ignored.
 */
export class Mirror {
  private readonly fraction: number;
  private cursor = 0;
  private inFlight = 0;

  constructor(private readonly config: MirrorDestination) {
    this.fraction = (config.percent ?? 100) / 100;
  }

  /** Copies still open (sent or being sent); a stuck mirror holds at most MAX_IN_FLIGHT. */
  get openCopies(): number {
    return this.inFlight;
  }

  /** send starts the copy of `src` when this request is sampled and a target is available. */
  send(src: MirrorSource): void {
    if (this.fraction < 1 && Math.random() >= this.fraction) return;
    if (this.inFlight >= MAX_IN_FLIGHT) return;
    const upstream = src.ctx.runtime.upstreams.get(this.config.upstream);
    const target = upstream === undefined ? null : this.nextTarget(upstream.targets);
    if (target === null) return;
    try {
      this.start(src, target);
    } catch {
      // node refused the copy (e.g. a header it would not send): the primary goes on regardless.
    }
  }

  private start(src: MirrorSource, target: TargetState): void {
    const copy = http.request({
      host: target.host,
      port: target.port,
      method: src.method,
      path: src.query === '' ? src.upstreamPath : `${src.upstreamPath}?${src.query}`,
      headers: mirrorHeaders(src),
      agent: false,
      timeout: MIRROR_TIMEOUT_MS,
    });
    this.inFlight++;
    copy.once('close', () => this.inFlight--);
    copy.on('error', ignore);
    copy.on('timeout', () => copy.destroy());
    copy.on('response', (res) => res.resume());
    teeBody(src.req, copy);
  }

  /** nextTarget: round-robin over targets that take new traffic (one endpoint per copy). */
  private nextTarget(targets: readonly TargetState[]): TargetState | null {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(this.cursor + i) % targets.length]!;
      if (t.servesNew) {
        this.cursor = (this.cursor + i + 1) % targets.length;
        return t;
      }
    }
    return null;
  }
}

/**
 * compileMirror: the route's `request-mirror` plugin (a route's replaces its service's, and a
 * disabled one switches it off), or null. The engine runs it after the request plugins, so the
 * copy carries the rewritten path and headers.
 */
export function compileMirror(route: RouteConfig, service: ServiceConfig): Mirrors | null {
  let found: PluginConfig | undefined;
  for (const p of [...(service.plugins ?? []), ...(route.plugins ?? [])]) {
    if (p.name === 'request-mirror') found = p.enabled === false ? undefined : p;
  }
  return found?.name === 'request-mirror' ? new Mirrors(found.config.mirrors.map((m) => new Mirror(m))) : null;
}

/** Mirrors: every destination of one route (HTTPRoute allows several RequestMirror filters). */
export class Mirrors {
  constructor(readonly list: readonly Mirror[]) {}

  send(src: MirrorSource): void {
    for (const m of this.list) m.send(src);
  }
}

/** mirrorHeaders: the end-to-end headers the primary sends, with the client's Host. */
function mirrorHeaders(src: MirrorSource): string[] {
  const raw = src.requestHeaders ?? src.req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!isDroppedRequestHeader(raw[i]!, null)) out.push(raw[i]!, raw[i + 1]!);
  }
  const host = src.req.headers.host;
  if (host !== undefined) out.push('Host', host);
  const length = src.req.headers['content-length'];
  if (length !== undefined && src.req.headers['transfer-encoding'] === undefined) out.push('Content-Length', length);
  return out;
}

/**
 * teeBody copies the client's body into the mirror as the primary reads it. Listening for 'data'
 * before the primary does would start the flow early and lose chunks for it, so the copy attaches
 * when the stream starts flowing ('resume'), and sees exactly the chunks the primary sees.
 */
function teeBody(downstream: DownstreamRequest, copy: http.ClientRequest): void {
  // Both of node's request types (HTTP/1.1 and HTTP/2 compatibility) are Readable streams.
  const req = downstream as unknown as Readable & { readonly complete: boolean; readonly headers: http.IncomingHttpHeaders };
  if (req.complete || (req.headers['content-length'] ?? '0') === '0' && req.headers['transfer-encoding'] === undefined) {
    copy.end();
    return;
  }
  // Bytes written since the copy last drained: node's ClientRequest does not count what it holds
  // before its socket connects in writableLength, so the backlog is counted here.
  let backlog = 0;
  copy.on('drain', () => (backlog = 0));
  const onData = (chunk: Buffer): void => {
    if (copy.write(chunk)) return;
    backlog += chunk.length;
    if (backlog > MAX_BUFFERED_BYTES) stop();
  };
  const onEnd = (): void => {
    copy.end();
    detach();
  };
  const stop = (): void => {
    copy.destroy();
    detach();
  };
  const detach = (): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', stop);
  };
  req.once('resume', () => {
    if (copy.destroyed) return;
    req.on('data', onData);
    req.once('end', onEnd);
  });
  req.once('close', stop);
}

function ignore(): void {}
