import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { PoolSet, type ConnectionUser, type UpstreamConnection } from './pool.js';
import type { ProxyError } from './errors.js';

/** A real upstream that answers every request on a connection with a 2-byte body. */
let server: net.Server;
let port = 0;
let accepted = 0;
const serverSockets: net.Socket[] = [];

before(async () => {
  server = net.createServer((s) => {
    accepted++;
    serverSockets.push(s);
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});

// Pooled connections stay idle (up to the keep-alive idle timeout): close them from this side.
after(() => {
  for (const s of serverSockets) s.destroy();
  server.close();
});

/** exchange runs one request on a fresh or pooled connection and resolves with the outcome. */
function exchange(pools: PoolSet, p = port, host = '127.0.0.1', connectTimeoutMs = 1000): Promise<{ body: string; conn: UpstreamConnection | null; error: ProxyError | null }> {
  return new Promise((resolve) => {
    let body = '';
    let conn: UpstreamConnection;
    const user: ConnectionUser = {
      onConnected: () => conn.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      onConnectionError: (error) => resolve({ body, conn: null, error }),
      onTimeout: () => {},
      onDrain: () => {},
      onResponseHead: () => {},
      onUpgrade: () => {},
      onReadEnd: () => {},
      onResponseBody: (c) => (body += c.toString()),
      onResponseEnd: (last, keepAlive) => {
        if (last) body += last.toString();
        conn.release(keepAlive);
        resolve({ body, conn, error: null });
      },
      onResponseError: () => {},
    };
    conn = pools.get(`${host}:${p}`, host, p, false).acquire(user, connectTimeoutMs);
    conn.parser.expect(user, false, false);
    if (conn.connected) user.onConnected();
  });
}

describe('ConnectionPool', () => {
  test('a released keep-alive connection is reused and counted per address', async () => {
    const pools = new PoolSet();
    const before = accepted;
    const first = await exchange(pools);
    const second = await exchange(pools);
    assert.equal(first.body, 'ok');
    assert.equal(second.body, 'ok');
    assert.equal(first.conn, second.conn);
    assert.equal(second.conn!.reused, true);
    assert.equal(accepted - before, 1);
    assert.equal(pools.openConnections(`127.0.0.1:${port}`), 1);
  });

  test('retire closes idle connections at once', async () => {
    const pools = new PoolSet();
    const { conn } = await exchange(pools);
    pools.retire(`127.0.0.1:${port}`);
    await new Promise((r) => conn!.socket.once('close', r));
    assert.equal(pools.openConnections(`127.0.0.1:${port}`), 0);
  });

  test('a refused connection reports an error that may be retried', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { error } = await exchange(new PoolSet(), deadPort);
    assert.equal(error!.code, 'CONNECT_FAILED');
    assert.equal(error!.beforeSend, true);
  });

  // Kong's upstream keep-alive settings (kong.conf upstream_keepalive_*), as --upstream-keepalive-*.
  test('max requests: a connection that carried them is closed, the next request dials anew', async () => {
    const pools = new PoolSet({ poolSize: 512, maxRequests: 2, idleTimeoutMs: 0 });
    const before = accepted;
    const a = await exchange(pools);
    const b = await exchange(pools);
    const c = await exchange(pools);
    assert.equal(a.conn, b.conn);
    assert.notEqual(b.conn, c.conn);
    assert.equal(accepted - before, 2);
  });

  test('pool size 0: no keep-alive, a connection per request', async () => {
    const pools = new PoolSet({ poolSize: 0, maxRequests: 0, idleTimeoutMs: 0 });
    const before = accepted;
    await exchange(pools);
    await exchange(pools);
    assert.equal(accepted - before, 2);
  });

  test('idle timeout: an idle connection is closed after it', async () => {
    const pools = new PoolSet({ poolSize: 512, maxRequests: 0, idleTimeoutMs: 100 });
    const { conn } = await exchange(pools);
    const started = Date.now();
    await new Promise((r) => conn!.socket.once('close', r));
    assert.ok(Date.now() - started >= 80);
    assert.equal(pools.openConnections(`127.0.0.1:${port}`), 0);
  });

  test('a dial that never completes (full accept queue) ends in CONNECT_TIMEOUT, never a hang', async () => {
    // A listener that never accepts, with its backlog filled, drops further SYNs.
    const py = spawn('python3', ['-c', [
      'import socket, sys, time',
      's = socket.socket(); s.bind(("127.0.0.91", 0)); s.listen(0)',
      'print(s.getsockname()[1], flush=True)',
      'time.sleep(10)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const p = Number(await new Promise<string>((r) => py.stdout!.once('data', (d: Buffer) => r(d.toString().trim()))));
      const fillers = [0, 1, 2].map(() => net.connect(p, '127.0.0.91').on('error', () => {}));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const { error } = await exchange(new PoolSet(), p, '127.0.0.91', 300);
      assert.equal(error!.code, 'CONNECT_TIMEOUT');
      assert.ok(Date.now() - started < 2000);
      for (const f of fillers) f.destroy();
    } finally {
      py.kill('SIGKILL');
    }
  });
});
