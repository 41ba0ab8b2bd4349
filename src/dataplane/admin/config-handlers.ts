import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import type { Logger } from '../../lib/log.js';
import { sendDashboard, wantsHtml } from '../dashboard/routes.js';
import { ConfigPushes, MAX_CONFIG_BYTES } from './config-push.js';
import { BodyTooLarge, readRawBody, sendJson, type RawBody } from './http.js';
import { redactConfig } from './redact.js';
import type { AdminHandler } from './server.js';
import type { AdminView } from './view.js';

/** configRoutes: GET / (Kong's welcome JSON, or the dashboard for a browser), GET /status, GET|POST /config, GET /metrics. */
export function configRoutes(gateway: AdminView, log: Logger): Array<[string, string, AdminHandler]> {
  const pushes = new ConfigPushes(gateway, log);
  return [
    ['GET', '/', (req, res) => (wantsHtml(req) ? sendDashboard(res) : sendJson(res, 200, { tagline: 'Welcome to berth', version: '0.1.0' }))],
    ['GET', '/status', async (_req, res) => sendJson(res, 200, await status(gateway))],
    ['GET', '/config', (_req, res) => sendJson(res, 200, { config: stringify(gateway.config ? redactConfig(gateway.config) : { _format_version: '3.0' }) })],
    ['POST', '/config', (req, res) => postConfig(gateway, pushes, req, res)],
    ['GET', '/metrics', (_req, res) => metrics(gateway, res)],
  ];
}

async function status(gateway: AdminView): Promise<unknown> {
  const s = await gateway.stats();
  return {
    database: { reachable: true },
    server: {
      connections_accepted: s.accepted,
      connections_active: s.active,
      connections_handled: s.accepted,
      connections_reading: 0,
      connections_writing: s.active,
      connections_waiting: 0,
      total_requests: s.requests,
    },
    memory: { workers_lua_vms: [], lua_shared_dicts: {}, rss: s.rss, heap_used: s.heapUsed },
    configuration_hash: gateway.runtime.hash,
  };
}

/** postConfig: Kong's DB-less `POST /config` (JSON or YAML body); 201 once the config is live. */
async function postConfig(gateway: AdminView, pushes: ConfigPushes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const flatten = /[?&]flatten_errors=(1|true)\b/.test(req.url ?? '');
  let body: RawBody;
  try {
    body = await readRawBody(req, res, MAX_CONFIG_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendJson(res, 413, { message: err.message });
    throw err;
  }
  const answer = await pushes.push(req, body, flatten);
  // --workers: 201 once every proxy process runs it, not only the primary.
  if (answer.status === 201) await gateway.whenLive();
  sendJson(res, answer.status, answer.body);
}

async function metrics(gateway: AdminView, res: ServerResponse): Promise<void> {
  const rows = [];
  for (const up of gateway.runtime.upstreams.values()) {
    for (const t of up.targets) rows.push({ upstream: up.name, target: t.address, state: t.state });
  }
  gateway.metrics.setTargetStates(rows);
  const text = await gateway.renderMetrics();
  res.writeHead(200, { 'Content-Type': gateway.metrics.contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
