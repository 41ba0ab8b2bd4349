import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { ConfigParseError, parseConfigText } from '../../config/load.js';
import type { ConfigErrorBody } from '../../config/types.js';
import { hashConfig } from '../../config/hash.js';
import { validateConfig } from '../../config/validate.js';
import type { Logger } from '../../lib/log.js';
import { sendDashboard, wantsHtml } from '../dashboard/routes.js';
import { BodyTooLarge, readBody, sendJson } from './http.js';
import { redactConfig } from './redact.js';
import type { AdminHandler } from './server.js';
import type { AdminView } from './view.js';

const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** configRoutes: GET / (Kong's welcome JSON, or the dashboard for a browser), GET /status, GET|POST /config, GET /metrics. */
export function configRoutes(gateway: AdminView, _log: Logger): Array<[string, string, AdminHandler]> {
  return [
    ['GET', '/', (req, res) => (wantsHtml(req) ? sendDashboard(res) : sendJson(res, 200, { tagline: 'Welcome to berth', version: '0.1.0' }))],
    ['GET', '/status', (_req, res) => sendJson(res, 200, status(gateway))],
    ['GET', '/config', (_req, res) => sendJson(res, 200, { config: stringify(gateway.config ? redactConfig(gateway.config) : { _format_version: '3.0' }) })],
    ['POST', '/config', (req, res) => postConfig(gateway, req, res)],
    ['GET', '/metrics', (_req, res) => metrics(gateway, res)],
  ];
}

function status(gateway: AdminView): unknown {
  const s = gateway.stats();
  const mem = process.memoryUsage();
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
    memory: { workers_lua_vms: [], lua_shared_dicts: {}, rss: mem.rss, heap_used: mem.heapUsed },
    configuration_hash: gateway.runtime.hash,
  };
}

/** postConfig: Kong's DB-less `POST /config` (JSON or YAML body); 201 once the config is live. */
async function postConfig(gateway: AdminView, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const flatten = /[?&]flatten_errors=(1|true)\b/.test(req.url ?? '');
  let input: unknown;
  try {
    input = unwrap(parseConfigText(formField(req, await readBody(req, MAX_CONFIG_BYTES))));
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendJson(res, 413, { message: err.message });
    if (err instanceof ConfigParseError || err instanceof Error) return sendJson(res, 400, parseError(err.message, flatten));
    throw err;
  }
  const valid = validateConfig(input);
  const result = valid.ok ? gateway.applyValidated(valid.config, hashConfig(valid.config)) : { ok: false as const, error: valid.error, flat: valid.flat };
  if (!result.ok) {
    return sendJson(res, 400, flatten ? { ...result.error, flattened_errors: result.flat } : result.error);
  }
  sendJson(res, 201, { configuration_hash: result.hash, changed: result.changed });
}

/** formField: `curl -d config=...` sends the document as a urlencoded form field, as Kong accepts. */
function formField(req: IncomingMessage, body: string): string {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return body;
  return new URLSearchParams(body).get('config') ?? body;
}

/** unwrap: Kong also takes the document as a string under `config` (its form-style body). */
function unwrap(parsed: unknown): unknown {
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.config === 'string' && obj._format_version === undefined) return parseConfigText(obj.config);
  }
  return parsed;
}

function parseError(message: string, flatten: boolean): ConfigErrorBody & { flattened_errors?: unknown } {
  const body: ConfigErrorBody = {
    code: 14,
    name: 'invalid declarative configuration',
    message: `failed parsing declarative configuration: ${message}`,
    fields: {},
  };
  if (!flatten) return body;
  return { ...body, flattened_errors: [{ entity_type: 'config', errors: [{ type: 'entity', message }] }] };
}

async function metrics(gateway: AdminView, res: ServerResponse): Promise<void> {
  const rows = [];
  for (const up of gateway.runtime.upstreams.values()) {
    for (const t of up.targets) rows.push({ upstream: up.name, target: t.address, state: t.state });
  }
  gateway.metrics.setTargetStates(rows);
  const text = await gateway.metrics.render();
  res.writeHead(200, { 'Content-Type': gateway.metrics.contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
