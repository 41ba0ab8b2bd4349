import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { ListenAddress } from '../server.js';
import { AdminAuth } from './auth.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { configRoutes } from './config-handlers.js';
import { notFound, sendJson } from './http.js';
import { upstreamRoutes } from './upstream-handlers.js';
import type { AdminView } from './view.js';

export type AdminHandler = (req: http.IncomingMessage, res: http.ServerResponse, params: string[]) => void | Promise<void>;

/** AdminRoute: a method plus a path pattern whose `{}` segments are captured into params. */
interface AdminRoute {
  method: string;
  segments: string[];
  handler: AdminHandler;
}

/**
 * AdminServer: Kong-shaped admin API over the gateway's live runtime. Routes are matched segment
 * by segment; `addRoute` lets the control plane add its own (e.g. GET /kubernetes/status).
 */
export class AdminServer {
  private readonly routes: AdminRoute[] = [];
  private server: http.Server | null = null;
  private readonly auth: AdminAuth;

  constructor(view: AdminView, private readonly log: Logger, opts: { token?: string } = {}) {
    this.auth = new AdminAuth(opts.token);
    for (const [method, path, handler] of [...configRoutes(view, log), ...upstreamRoutes(view), ...dashboardRoutes(view)]) {
      this.addRoute(method, path, handler);
    }
  }

  addRoute(method: string, path: string, handler: AdminHandler): void {
    this.routes.push({ method: method.toUpperCase(), segments: split(path), handler });
  }

  listen(addr: ListenAddress): Promise<ListenAddress> {
    const server = http.createServer((req, res) => this.dispatch(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.port, addr.host, () => {
        const a = server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (!this.auth.allows(req, path)) return unauthorized(res);
    const segments = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === null) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      Promise.resolve()
        .then(() => route.handler(req, res, params))
        .catch((err: unknown) => this.failed(res, err));
      return;
    }
    if (pathMatched) return sendJson(res, 405, { message: 'Method not allowed' });
    notFound(res);
  }

  private failed(res: http.ServerResponse, err: unknown): void {
    this.log.error({ err }, 'admin request failed');
    if (!res.headersSent) sendJson(res, 500, { message: 'An unexpected error occurred' });
    else res.destroy();
  }
}

function unauthorized(res: http.ServerResponse): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="berth admin"');
  sendJson(res, 401, { message: 'Unauthorized' });
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): string[] | null {
  if (pattern.length !== actual.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '{}') {
      try {
        params.push(decodeURIComponent(actual[i]!));
      } catch {
        return null;
      }
    } else if (pattern[i] !== actual[i]) {
      return null;
    }
  }
  return params;
}
