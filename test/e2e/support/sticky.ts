// Shared pieces of the sticky-session end-to-end tests: the config they push, a client with a
// one-cookie jar, the admin calls they make, and a bounded background load loop.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Backend } from '../../helpers/backend.js';
import { json, request } from '../../helpers/http.js';

export const UPSTREAM = 'sticky-app';
export const COOKIE = 'session-id';

/** StickyTarget: one backend as a target of the sticky upstream. */
export interface StickyTarget {
  backend: Pick<Backend, 'address'>;
  identity: string;
  weight?: number;
}

/**
 * stickyConfig: one service on `/` in front of a `sticky-sessions` upstream with these targets;
 * `upstream` adds fields to the upstream (health checks), `extra` to the document (certificates).
 */
export function stickyConfig(
  targets: readonly StickyTarget[],
  extra: Record<string, unknown> = {},
  upstream: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    _format_version: '3.0',
    services: [{ name: 'app', host: UPSTREAM, retries: 5, routes: [{ name: 'app', paths: ['/'], strip_path: false }] }],
    upstreams: [
      {
        name: UPSTREAM,
        algorithm: 'sticky-sessions',
        sticky_sessions_cookie: COOKIE,
        targets: targets.map((t) => ({
          target: t.backend.address,
          weight: t.weight ?? 100,
          tags: [`berth.identity=${t.identity}`],
        })),
        ...upstream,
      },
    ],
    ...extra,
  };
}

/** postConfig pushes a config to the admin API and insists on Kong's 201. */
export async function postConfig(adminUrl: string, config: unknown): Promise<void> {
  const res = await request(`${adminUrl}/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  assert.equal(res.status, 201, `POST /config: ${res.status} ${res.body}`);
}

/** HealthRow: the fields of `GET /upstreams/{u}/health` rows the drain tests read. */
export interface HealthRow {
  id: string;
  target: string;
  weight: number;
  health: string;
  state: string;
  in_flight: number;
  sticky_requests_last_60s: number;
  last_sticky_request_at: string | null;
}

export async function upstreamHealth(adminUrl: string): Promise<HealthRow[]> {
  const res = await json<{ data: HealthRow[] }>(`${adminUrl}/upstreams/${UPSTREAM}/health`);
  assert.equal(res.status, 200);
  return res.body.data;
}

/** setTargetHealth: Kong's `PUT /upstreams/{u}/targets/{t}/healthy|unhealthy` (204). */
export async function setTargetHealth(adminUrl: string, target: string, healthy: boolean): Promise<void> {
  const res = await request(`${adminUrl}/upstreams/${UPSTREAM}/targets/${target}/${healthy ? 'healthy' : 'unhealthy'}`, { method: 'PUT' });
  assert.equal(res.status, 204, `PUT ${healthy ? 'healthy' : 'unhealthy'}: ${res.status} ${res.body}`);
}

/**
 * metric: the value of one Prometheus sample from the admin `GET /metrics`, matched by name and
 * by every given label; 0 when absent (a counter that never moved has no sample).
 */
export async function metric(adminUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const res = await request(`${adminUrl}/metrics`);
  assert.equal(res.status, 200);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of res.body.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = m[2]!.split(',');
    if (wanted.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

/** Hit: what one request through the gateway showed. */
export interface Hit {
  status: number;
  /** The backend's name (its X-Backend header), or '' when none answered. */
  backend: string;
  /** The whole Set-Cookie line for the session cookie, if the response carried one. */
  setCookie: string | undefined;
}

/** cookieValue: the value of `name=` in a Set-Cookie line. */
export function cookieValue(setCookie: string, name = COOKIE): string {
  const first = setCookie.split(';', 1)[0]!;
  assert.ok(first.startsWith(`${name}=`), `Set-Cookie does not set ${name}: ${setCookie}`);
  return first.slice(name.length + 1);
}

/**
 * Session: a client with a cookie jar of one cookie, like a browser tab: it stores the session
 * cookie a response sets and sends it with every later request.
 */
export class Session {
  cookie: string | undefined;
  /** The backend that answered the last request. */
  backend = '';

  constructor(
    private readonly baseUrl: string,
    private readonly agent?: http.Agent,
  ) {}

  async get(path = '/'): Promise<Hit> {
    const hit = await send(this.baseUrl + path, this.cookie === undefined ? {} : { cookie: `${COOKIE}=${this.cookie}` }, this.agent);
    if (hit.setCookie !== undefined) this.cookie = cookieValue(hit.setCookie);
    this.backend = hit.backend;
    return hit;
  }
}

/** send: one GET with these headers; a session Set-Cookie is picked out of the response. */
export async function send(url: string, headers: http.OutgoingHttpHeaders, agent?: http.Agent): Promise<Hit> {
  const res = agent === undefined ? await request(url, { headers }) : await viaAgent(url, headers, agent);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${COOKIE}=`));
  return { status: res.status, backend: String(res.headers['x-backend'] ?? ''), setCookie };
}

function viaAgent(url: string, headers: http.OutgoingHttpHeaders, agent: http.Agent): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
  });
}

/** inBatches runs `fn` over `items` with at most `limit` calls in flight, keeping order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** LoadReport: what a load loop saw. */
export interface LoadReport {
  requests: number;
  failures: string[];
  /** Requests that carried a cookie and got a new one (sessions moved). */
  moved: number;
}

/**
 * LoadLoop: `clients` sessions, each on its own keep-alive connection, requesting back to back
 * until `stop()` or `maxMs` (whichever comes first). Any status other than 200, any socket error
 * and any response without a backend is a failure.
 */
export class LoadLoop {
  private running = true;
  private readonly report: LoadReport = { requests: 0, failures: [], moved: 0 };
  private readonly agents: http.Agent[] = [];
  private readonly done: Promise<void>;

  constructor(baseUrl: string, clients: number, maxMs: number) {
    const deadline = Date.now() + maxMs;
    this.done = Promise.all(
      Array.from({ length: clients }, (_, i) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        this.agents.push(agent);
        return this.client(new Session(baseUrl, agent), `/load/${i}`, deadline);
      }),
    ).then(() => undefined);
  }

  private async client(session: Session, path: string, deadline: number): Promise<void> {
    while (this.running && Date.now() < deadline) {
      const hadCookie = session.cookie !== undefined;
      try {
        const hit = await session.get(path);
        this.report.requests++;
        if (hit.status !== 200 || hit.backend === '') this.report.failures.push(`${path}: status ${hit.status} backend '${hit.backend}'`);
        if (hadCookie && hit.setCookie !== undefined) this.report.moved++;
      } catch (err) {
        this.report.requests++;
        this.report.failures.push(`${path}: ${(err as Error).message}`);
      }
    }
  }

  /** Requests completed so far. */
  get requests(): number {
    return this.report.requests;
  }

  /** waitForRequests resolves once `n` more requests completed (so a change lands mid-load). */
  async waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.report.requests + n;
    await waitFor(`${n} load requests`, () => this.report.requests >= target, timeoutMs);
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await this.done;
    for (const agent of this.agents) agent.destroy();
    return this.report;
  }
}

/** waitFor polls `check` every 50 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
