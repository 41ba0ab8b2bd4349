import type { ProxyContext } from '../proxy/context.js';
import type { TargetState } from '../targets/target.js';
import { BerthH2FrontEnd } from './berth-front-end.js';
import { type BerthH2Pool, berthPool } from './berth-session-pool.js';
import { BerthUpstreamStream } from './berth-upstream-stream.js';
import { H2FrontEnd } from './front-end.js';
import type { H2Acceptor } from './listeners.js';
import { H2PoolSet } from './pool-set.js';
import { type H2SessionPool, nodePool } from './session-pool.js';
import { H2UpstreamStream, type H2UpstreamUser } from './upstream-stream.js';

/** --http2-engine: node's http2 module, or berth's own HTTP/2 on net sockets (connection.ts, client-connection.ts). */
export type Http2Engine = 'node' | 'berth';
export const HTTP2_ENGINES: readonly Http2Engine[] = ['node', 'berth'];
export const DEFAULT_HTTP2_ENGINE: Http2Engine = 'berth';

/** createH2FrontEnd: the downstream HTTP/2 front end of the engine chosen. */
export function createH2FrontEnd(engine: Http2Engine, ctx: ProxyContext, stats: { requests: number }): H2Acceptor {
  return engine === 'berth' ? new BerthH2FrontEnd(ctx, stats) : new H2FrontEnd(ctx, stats);
}

/** H2UpstreamTry: one try of a request on an HTTP/2 upstream, as the Attempt drives it. */
export interface H2UpstreamTry {
  /** The client is behind: stop taking the upstream's answer until it drains. */
  pauseForClient(): void;
  resume(): void;
  /** Cancel the stream (the client left, or the try failed); its session lives on. */
  destroy(): void;
}

/** H2Upstreams: every upstream HTTP/2 session pool of the process, by scheme and address. */
export interface H2Upstreams {
  open(user: H2UpstreamUser, target: TargetState, tls: boolean): H2UpstreamTry;
  openSessions(address: string): number;
  /** A target left the config: its sessions close once their streams end. */
  retire(address: string): void;
  closeAll(): void;
}

/** createH2Upstreams: the upstream HTTP/2 client of the engine chosen. */
export function createH2Upstreams(engine: Http2Engine): H2Upstreams {
  return engine === 'berth' ? new BerthH2Upstreams() : new NodeH2Upstreams();
}

/** node's http2 client: session-pool.ts + upstream-stream.ts. */
class NodeH2Upstreams extends H2PoolSet<H2SessionPool> implements H2Upstreams {
  constructor() {
    super(nodePool);
  }

  open(user: H2UpstreamUser, target: TargetState, tls: boolean): H2UpstreamTry {
    return new H2UpstreamStream(user, this.get(target.address, target.host, target.port, tls), target);
  }
}

/** berth's own client: berth-session-pool.ts + berth-upstream-stream.ts. */
class BerthH2Upstreams extends H2PoolSet<BerthH2Pool> implements H2Upstreams {
  constructor() {
    super(berthPool);
  }

  open(user: H2UpstreamUser, target: TargetState, tls: boolean): H2UpstreamTry {
    return new BerthUpstreamStream(user, this.get(target.address, target.host, target.port, tls), target);
  }
}
