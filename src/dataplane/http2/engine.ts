import type { ProxyContext } from '../proxy/context.js';
import { BerthH2FrontEnd } from './berth-front-end.js';
import { H2FrontEnd } from './front-end.js';
import type { H2Acceptor } from './listeners.js';

/** --http2-engine: node's http2 module, or berth's own HTTP/2 on net sockets (connection.ts). */
export type Http2Engine = 'node' | 'berth';
export const HTTP2_ENGINES: readonly Http2Engine[] = ['node', 'berth'];
export const DEFAULT_HTTP2_ENGINE: Http2Engine = 'berth';

/** createH2FrontEnd: the downstream HTTP/2 front end of the engine chosen. */
export function createH2FrontEnd(engine: Http2Engine, ctx: ProxyContext, stats: { requests: number }): H2Acceptor {
  return engine === 'berth' ? new BerthH2FrontEnd(ctx, stats) : new H2FrontEnd(ctx, stats);
}
