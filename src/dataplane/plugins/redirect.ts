import type { ServerResponse } from 'node:http';
import type { RedirectConfig } from '../../config/types.js';
import { validHeaderValue } from '../proxy/headers.js';

/** Redirect: Kong's `redirect` plugin (HTTPRoute RequestRedirect): answers instead of proxying. */
export class Redirect {
  private readonly status: number;
  private readonly location: string;
  private readonly keepPath: boolean;

  constructor(config: RedirectConfig) {
    this.status = config.status_code ?? 301;
    this.location = validHeaderValue(config.location) ? config.location : '/';
    this.keepPath = config.keep_incoming_path === true;
  }

  /** respond writes the redirect; `pathAndQuery` is the client's request target. */
  respond(res: ServerResponse, pathAndQuery: string): number {
    let location = this.location;
    if (this.keepPath) location = location.replace(/\/+$/, '') + pathAndQuery;
    const body = JSON.stringify({ message: 'redirect' }) + '\n';
    res.writeHead(this.status, [
      'Location', location,
      'Content-Type', 'application/json; charset=utf-8',
      'Content-Length', String(Buffer.byteLength(body)),
    ]);
    res.end(body);
    return this.status;
  }
}
