import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PoolSet, type ConnectionUser, type UpstreamConnection } from './pool.js';
import type { ProxyError } from './errors.js';

/** A real upstream that answers every request on a connection with a 2-byte body. */
let server: net.Server;
let port = 0;
let accepted = 0;

before(async () => {
  server = net.createServer((s) => {
    accepted++;
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});

after(() => server.close());

/** exchange runs one request on a fresh or pooled connection and resolves with the outcome. */
function exchange(pools: PoolSet, p = port): Promise<{ body: string; conn: UpstreamConnection | null; error: ProxyError | null }> {
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
    conn = pools.get(`127.0.0.1:${p}`, '127.0.0.1', p, false).acquire(user, 1000);
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
});
