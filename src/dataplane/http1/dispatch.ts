import type { TLSSocket } from 'node:tls';
import { errorBody } from './error-answer.js';
import { isMisdirected, MISDIRECTED_BODY } from '../http2/misdirected.js';
import { Attempt } from '../proxy/attempt.js';
import type { ProxyContext } from '../proxy/context.js';
import { hostWithoutPort } from '../proxy/headers.js';
import { sendError } from '../proxy/respond.js';
import type { UpgradeClient } from '../proxy/tunnel.js';
import type { H1Request } from './request.js';
import type { H1Response } from './response.js';

/** node's test for an Expect it can meet (lib/_http_server.js continueExpression). */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * dispatch hands a request to the engine after the checks node's server made before its
 * 'request' event (Host on HTTP/1.1, Expect) and the 421 for a TLS connection whose SNI selected
 * another certificate than the request's Host (http2/misdirected.ts).
 */
export function dispatch(ctx: ProxyContext, req: H1Request, res: H1Response): void {
  const headers = req.headers;
  if (req.httpVersion === '1.1') {
    if (headers.host === undefined) {
      // node's requireHostHeader (RFC 9112 s3.2: a request without Host is refused with 400).
      const body = errorBody(400);
      res.keepAlive = false;
      res.writeHead(400, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(body.length)]);
      return void res.end(body);
    }
    if (headers.expect !== undefined) {
      if (!CONTINUE.test(headers.expect)) return void res.writeHead(417, []).end();
      res.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    }
  }
  if (misdirected(ctx, req)) {
    res.writeHead(421, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(MISDIRECTED_BODY))]);
    return void res.end(MISDIRECTED_BODY);
  }
  try {
    new Attempt(ctx, req, res).start();
  } catch (err) {
    // A bug must cost one request, never the process.
    ctx.log.error({ err, url: req.url }, 'request failed');
    sendError(res, err);
  }
}

/** dispatchUpgrade starts an upgrade (WebSocket) request: a tunnel if the upstream answers 101. */
export function dispatchUpgrade(ctx: ProxyContext, req: H1Request, client: UpgradeClient): void {
  try {
    new Attempt(ctx, req, client.response, client).start();
  } catch (err) {
    ctx.log.error({ err, url: req.url }, 'upgrade failed');
    client.socket.destroy();
  }
}

function misdirected(ctx: ProxyContext, req: H1Request): boolean {
  const socket = req.socket as TLSSocket;
  if (socket.encrypted !== true) return false;
  const { tls, listenerHostnames } = ctx.runtime;
  return isMisdirected(tls, listenerHostnames, typeof socket.servername === 'string' ? socket.servername : undefined, hostWithoutPort(req.headers.host));
}
