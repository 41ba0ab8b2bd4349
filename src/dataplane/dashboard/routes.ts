import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../admin/http.js';
import type { AdminHandler } from '../admin/server.js';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './page.js';
import { dashboardState, type DashboardSource } from './state.js';

const PAGE = Buffer.from(DASHBOARD_HTML, 'utf8');

/** dashboardRoutes: the page at GET /dashboard and its data at GET /dashboard/state. */
export function dashboardRoutes(source: DashboardSource, now: () => number = Date.now): Array<[string, string, AdminHandler]> {
  return [
    ['GET', '/dashboard', (_req, res) => sendDashboard(res)],
    ['GET', '/dashboard/state', async (_req, res) => {
      const counters = await source.targetCounters([...source.runtime.upstreams.values()]);
      sendJson(res, 200, dashboardState(source, now(), counters));
    }],
  ];
}

/** sendDashboard writes the page; it is static, so it is built once at start-up. */
export function sendDashboard(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': PAGE.length,
    'Content-Security-Policy': DASHBOARD_CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(PAGE);
}

/**
 * wantsHtml: a browser navigating to the admin root asks for text/html first; scripts written
 * against Kong's `GET /` (curl, httpie, client libraries) do not, and keep getting its JSON.
 */
export function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.startsWith('text/html');
}
