import type { RedirectConfig } from '../../config/types.js';
import { validHeaderValue } from '../proxy/headers.js';
import type { PluginAnswer } from './index.js';

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

  /** answer builds the redirect to the client's request target. */
  answer(req: { readonly url: string }): PluginAnswer {
    const pathAndQuery = req.url;
    let location = this.location;
    if (this.keepPath) location = location.replace(/\/+$/, '') + pathAndQuery;
    return { status: this.status, headers: ['Location', location, 'Content-Type', 'application/json; charset=utf-8'], body: REDIRECT_BODY };
  }
}

const REDIRECT_BODY = JSON.stringify({ message: 'redirect' }) + '\n';
