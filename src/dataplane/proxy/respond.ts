import type { DownstreamResponse } from './downstream.js';
import { errorResponse } from './errors.js';

/**
 * sendError answers with the error's Kong status and JSON body and returns the status; when the
 * response head already left, the only honest signal left is to cut the connection.
 */
export function sendError(res: DownstreamResponse, err: unknown): number {
  const r = errorResponse(err);
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return r.status;
  }
  res.writeHead(r.status, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(r.body))]);
  res.end(r.body);
  return r.status;
}
