// The access log end to end: a real gateway process (dist/, `npm run build`) with --access-log
// FILE, real backends on 127.0.0.x, and every field of a line checked for proxied requests,
// sticky outcomes, the proxy's own 404/502/503/504 answers and a WebSocket (logged at its end).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { closedPort, startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { request } from '../helpers/http.js';

interface Line {
  time: string; client_ip: string; x_forwarded_for: string | null; method: string; host: string; path: string;
  protocol: string; status: number; bytes_in: number; bytes_out: number; latency_ms: number;
  upstream_latency_ms: number | null; route: string | null; service: string | null; upstream: string | null;
  target: string | null; target_identity: string | null; sticky: string | null; retries: number;
  error: string | null; trace_id: string | null;
}

/** linesOf: the lines the log holds now (none before it exists). */
function linesOf(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** readLines waits (bounded) until the log holds `count` lines: it is written off the request path. */
async function readLines(file: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = linesOf(file);
    if (lines.length >= count) return lines;
    if (Date.now() > deadline) throw new Error(`access log has ${lines.length} lines, expected ${count}:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('access log', () => {
  let a: Backend;
  let b: Backend;
  let silent: Backend;
  let wss: WebSocketServer;
  let gw: GatewayProcess;
  let file = '';
  let seen = 0;
  /** next: the one new line a request produced. */
  const next = async (): Promise<Line> => {
    const lines = await readLines(file, seen + 1);
    assert.equal(lines.length, seen + 1, `expected exactly one new line:\n${lines.slice(seen).join('\n')}`);
    return JSON.parse(lines[seen++]!) as Line;
  };

  before(async () => {
    a = await startBackend({ name: 'a', host: '127.0.0.41' });
    b = await startBackend({ name: 'b', host: '127.0.0.42' });
    silent = await startBackend({ name: 'silent', host: '127.0.0.43', handler: () => {} });
    wss = new WebSocketServer({ server: a.server });
    wss.on('connection', (socket) => socket.on('message', (d) => socket.send(`echo:${d.toString()}`)));
    const dead = [await closedPort('127.0.0.44'), await closedPort('127.0.0.44')];
    file = join(mkdtempSync(join(tmpdir(), 'berth-access-')), 'access.log');
    gw = await spawnGateway({
      args: ['--access-log', file],
      config: {
        _format_version: '3.0',
        services: [
          { name: 'app', host: 'sticky-app', routes: [{ name: 'app', paths: ['/app'], strip_path: false }] },
          { name: 'dead', host: 'up-dead', retries: 1, routes: [{ name: 'dead', paths: ['/dead'] }] },
          { name: 'drained', host: 'up-drained', routes: [{ name: 'drained', paths: ['/drained'] }] },
          { name: 'slow', host: 'up-slow', read_timeout: 300, routes: [{ name: 'slow', paths: ['/slow'] }] },
          { name: 'ws', host: 'up-ws', routes: [{ name: 'ws', paths: ['/ws'], strip_path: false }] },
        ],
        upstreams: [
          {
            name: 'sticky-app', algorithm: 'sticky-sessions', sticky_sessions_cookie: 'sid',
            targets: [{ target: a.address, tags: ['berth.identity=uid-a'] }, { target: b.address, tags: ['berth.identity=uid-b'] }],
          },
          { name: 'up-dead', targets: dead.map((port) => ({ target: `127.0.0.44:${port}` })) },
          { name: 'up-ws', targets: [{ target: a.address }] },
          { name: 'up-drained', targets: [{ target: a.address, weight: 0 }] },
          { name: 'up-slow', targets: [{ target: silent.address }] },
        ],
      },
    });
  });
  after(async () => {
    await gw?.stop();
    wss?.close();
    await Promise.all([a?.close(), b?.close(), silent?.close()]);
  });

  test('a proxied request: every field; a new session, then kept, then a forged cookie', async () => {
    const started = Date.now();
    const res = await request(`${gw.proxyUrl}/app/x?q=1`, { headers: { 'user-agent': 'test/1', 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(res.status, 200);
    const line = await next();
    const served = res.headers['x-backend'] === 'a' ? a : b;
    assert.ok(Date.parse(line.time) >= started - 5 && Date.parse(line.time) <= Date.now());
    assert.deepEqual(
      { ...line, time: '', latency_ms: 0, upstream_latency_ms: 0 },
      {
        time: '', client_ip: '127.0.0.1', x_forwarded_for: null, method: 'GET', host: '127.0.0.1', path: '/app/x',
        protocol: 'HTTP/1.1', status: 200, bytes_in: 0, bytes_out: Buffer.byteLength(res.body), latency_ms: 0,
        upstream_latency_ms: 0, route: 'app', service: 'app', upstream: 'sticky-app', target: served.address,
        target_identity: served === a ? 'uid-a' : 'uid-b', sticky: 'new', retries: 0, error: null, trace_id: null,
      },
    );
    assert.ok(line.latency_ms > 0 && line.upstream_latency_ms! > 0 && line.upstream_latency_ms! <= line.latency_ms, JSON.stringify(line));
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    await request(`${gw.proxyUrl}/app`, { headers: { cookie } });
    assert.deepEqual(pick(await next(), 'sticky', 'target'), { sticky: 'kept', target: served.address });
    await request(`${gw.proxyUrl}/app`, { headers: { cookie: 'sid=forged-value' } });
    assert.equal((await next()).sticky, 'invalid');
  });

  test('/metrics counts dropped access-log lines (none here)', async () => {
    const metrics = await request(`${gw.adminUrl}/metrics`);
    assert.match(metrics.body, /^berth_access_log_dropped_total 0$/m);
  });

  test('bytes in and out count the request and response bodies', async () => {
    const body = 'x'.repeat(1234);
    const res = await request(`${gw.proxyUrl}/app`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    const line = await next();
    assert.deepEqual(pick(line, 'method', 'bytes_in', 'bytes_out', 'status'), { method: 'POST', bytes_in: 1234, bytes_out: Buffer.byteLength(res.body), status: 200 });
  });

  test('the proxy\'s own answers carry their error code: 404, 502 after a retry, 503, 504', async () => {
    assert.equal((await request(`${gw.proxyUrl}/nowhere`)).status, 404);
    assert.deepEqual(pick(await next(), 'status', 'error', 'route', 'service', 'upstream', 'target', 'sticky', 'upstream_latency_ms'),
      { status: 404, error: 'NO_ROUTE', route: null, service: null, upstream: null, target: null, sticky: null, upstream_latency_ms: null });

    assert.equal((await request(`${gw.proxyUrl}/dead`)).status, 502);
    const dead = await next();
    assert.deepEqual(pick(dead, 'status', 'error', 'route', 'upstream', 'retries', 'upstream_latency_ms'),
      { status: 502, error: 'CONNECT_FAILED', route: 'dead', upstream: 'up-dead', retries: 1, upstream_latency_ms: null });
    assert.match(dead.target!, /^127\.0\.0\.44:\d+$/);

    assert.equal((await request(`${gw.proxyUrl}/drained`)).status, 503);
    assert.deepEqual(pick(await next(), 'status', 'error', 'route', 'upstream', 'target'),
      { status: 503, error: 'NO_PEER', route: 'drained', upstream: 'up-drained', target: null });

    assert.equal((await request(`${gw.proxyUrl}/slow`)).status, 504);
    const slow = await next();
    assert.deepEqual(pick(slow, 'status', 'error', 'route', 'target', 'upstream_latency_ms'),
      { status: 504, error: 'READ_TIMEOUT', route: 'slow', target: silent.address, upstream_latency_ms: null });
    assert.ok(slow.latency_ms >= 290, `latency ${slow.latency_ms}`);
  });

  test('a WebSocket is logged once, when it closes, with protocol websocket and status 101', async () => {
    const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/ws/chat`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hi');
    assert.equal(await reply, 'echo:hi');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await readLines(file, seen)).length, seen, 'nothing is logged while the stream is open');
    ws.close();
    const line = await next();
    assert.deepEqual(pick(line, 'protocol', 'status', 'method', 'path', 'route', 'upstream', 'target', 'error'),
      { protocol: 'websocket', status: 101, method: 'GET', path: '/ws/chat', route: 'ws', upstream: 'up-ws', target: a.address, error: null });
    assert.ok(line.bytes_out > 0 && line.bytes_in > 0, JSON.stringify(line));
  });
});

describe('access log formats and destinations', () => {
  let backend: Backend;
  before(async () => {
    backend = await startBackend({ name: 'c', host: '127.0.0.45' });
  });
  after(async () => {
    await backend?.close();
  });
  const config = () => ({
    _format_version: '3.0',
    services: [{ name: 'svc', host: 'up', routes: [{ name: 'r', paths: ['/'] }] }],
    upstreams: [{ name: 'up', targets: [{ target: backend.address }] }],
  });

  test('on by default, JSON on stdout (logs stay on stderr)', async () => {
    const gw = await spawnGateway({ config: config() });
    try {
      await request(`${gw.proxyUrl}/hello`);
      const line = await until(() => gw.output().split('\n').find((l) => l.includes('"path":"/hello"')));
      assert.equal((JSON.parse(line) as Line).status, 200);
    } finally {
      await gw.stop();
    }
  });

  test('combined format (BERTH_ACCESS_LOG_FORMAT) to a file (BERTH_ACCESS_LOG)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'berth-access-')), 'combined.log');
    const gw = await spawnGateway({ config: config(), env: { BERTH_ACCESS_LOG: file, BERTH_ACCESS_LOG_FORMAT: 'combined' } });
    try {
      const res = await request(`${gw.proxyUrl}/page`, { headers: { referer: 'http://ref.example/', 'user-agent': 'agent "x"' } });
      const [line] = await readLines(file, 1);
      assert.match(line!, new RegExp(
        String.raw`^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET /page HTTP/1\.1" 200 ${Buffer.byteLength(res.body)} ` +
        String.raw`"http://ref\.example/" "agent \\x22x\\x22" host=127\.0\.0\.1 xff=- bytes_in=0 rt=\d+\.\d{3} urt=\d+\.\d{3} route=r service=svc upstream=up target=127\.0\.0\.45:\d+ pod=127\.0\.0\.45:\d+ sticky=- retries=0 error=- trace_id=-$`));
      assert.ok(!gw.output().includes('"path":"/page"'), 'nothing on stdout');
    } finally {
      await gw.stop();
    }
  });

  test('SIGUSR1 reopens the file by its path in the primary and every worker (logrotate moves, then signals)', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-access-'));
    const file = join(dir, 'access.log');
    const moved = join(dir, 'access.log.1');
    const gw = await spawnGateway({ config: config(), args: ['--access-log', file, '--workers', '2'], startTimeoutMs: 45_000 });
    const count = (f: string): number => linesOf(f).length;
    // Each request on its own connection: node:cluster hands them to the workers in turn.
    const burst = (tag: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => request(`${gw.proxyUrl}/${tag}/${i}`)));
    try {
      await burst('before', 12);
      await readLines(file, 12);
      renameSync(file, moved);
      process.kill(gw.child.pid!, 'SIGUSR1');
      // Once every worker has reopened, a burst lands whole in the new file and none in the moved one.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [oldBefore, newBefore] = [count(moved), count(file)];
        const answers = await burst('after', 12);
        assert.ok(answers.every((r) => r.status === 200), 'served throughout');
        await new Promise((r) => setTimeout(r, 200)); // the 50 ms flush, with room
        if (count(moved) === oldBefore && count(file) === newBefore + 12) break;
        assert.ok(Date.now() < deadline, `10 s after SIGUSR1 lines still go to the moved file (${count(moved)} there, ${count(file)} in the new one)`);
      }
      const old = linesOf(moved).map((l) => JSON.parse(l) as Line);
      assert.equal(old.filter((l) => l.path.startsWith('/before/')).length, 12, 'the lines before the move stay in the moved file');
      assert.match(gw.output(), /SIGUSR1: reopening the access log/);
      assert.doesNotMatch(gw.output(), /Debugger listening/, 'node did not open its inspector on SIGUSR1');
    } finally {
      await gw.stop();
    }
  });

  test('a closed stdout: requests are still served, lines are dropped and counted, the error is logged once', async () => {
    const gw = await spawnGateway({ config: config() });
    try {
      gw.child.stdout!.destroy(); // the reader of berth's stdout goes away: every write fails (EPIPE)
      for (let i = 0; i < 5; i++) {
        assert.equal((await request(`${gw.proxyUrl}/lost`)).status, 200);
        await new Promise((r) => setTimeout(r, 20));
      }
      let dropped = 0;
      for (const deadline = Date.now() + 10_000; dropped < 5 && Date.now() < deadline;) {
        const m = /^berth_access_log_dropped_total (\d+)$/m.exec((await request(`${gw.adminUrl}/metrics`)).body);
        dropped = Number(m?.[1] ?? 0);
        if (dropped < 5) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(dropped >= 5, `dropped ${dropped}`);
      const errors = gw.output().split('\n').filter((l) => l.includes('access log write failed'));
      assert.equal(errors.length, 1, errors.join('\n'));
    } finally {
      await gw.stop();
    }
  });

  test('--access-log off writes nothing; bad flag values stop start-up with a readable message', async () => {
    const gw = await spawnGateway({ config: config(), args: ['--access-log', 'off'] });
    try {
      await request(`${gw.proxyUrl}/quiet`);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!gw.output().includes('/quiet'));
    } finally {
      await gw.stop();
    }
    const { runGateway } = await import('../helpers/gateway.js');
    const bad = await runGateway(['--access-log-format', 'xml']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /expected json or combined, got "xml"/);
    const unwritable = await runGateway(['--access-log', '/nonexistent-dir/x.log', '--proxy-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']);
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.output, /cannot open the access log \/nonexistent-dir\/x\.log/);
  });
});

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

async function until<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
