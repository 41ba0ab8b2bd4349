// The proxy listener: malformed bytes after a valid request (issue 9 finding 6), the connection
// cap (finding 7), readiness across a drain (finding 5).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Gateway as GatewayClass, type Gateway } from './gateway.js';
import { loadSessionSecrets } from './sticky/token.js';
import { createLogger } from '../lib/log.js';
import { startGateway } from '../../test/helpers/inprocess.js';
import { rawRequest, startRawBackend, type RawBackend } from '../../test/helpers/raw.js';

const CONFIG = (backend: string): unknown => ({
  _format_version: '3.0',
  services: [{ name: 's', host: 'up', routes: [{ name: 'r', paths: ['/'], strip_path: false }] }],
  upstreams: [{ name: 'up', targets: [{ target: backend }] }],
});

describe('client errors and connection caps', () => {
  let backend: RawBackend;
  let gw: Gateway;

  before(async () => {
    // Answers each request head 150 ms later, so a client's next bytes arrive while it is in flight.
    backend = await startRawBackend('127.0.0.81', (socket, soFar) => {
      const heads = soFar.split('\r\n\r\n').length - 1;
      const answered = (socket as unknown as { n?: number }).n ?? 0;
      (socket as unknown as { n?: number }).n = heads;
      for (let i = answered; i < heads; i++) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst'), 150);
    });
    gw = await startGateway(CONFIG(backend.address), { maxConnections: 3 });
  });

  after(async () => {
    await gw.stop();
    await backend.close();
  });

  test('garbage after a valid request: the in-flight answer is delivered whole, then the connection closes', async () => {
    backend.received.length = 0;
    const reply = await rawRequest(gw.proxyAddress(), ['GET /one HTTP/1.1\r\nHost: x\r\n\r\n', 'NOT HTTP AT ALL\r\n\r\n'], { gapMs: 30 });
    assert.match(reply.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nfirst$/);
    assert.doesNotMatch(reply.text, /400/);
    assert.ok(reply.closed, 'the connection closed after the answer');
    assert.equal(reply.error, null, 'closed cleanly, not reset');
    assert.equal(backend.received.length, 1);
    assert.match(backend.received[0]!, /^GET \/one HTTP\/1\.1\r\n[^]*\r\n\r\n$/);
  });

  test('a request whose own body framing node rejects after its head (Transfer-Encoding: identity) is cut, not left hanging', async () => {
    const started = Date.now();
    const reply = await rawRequest(gw.proxyAddress(), 'POST /te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\nabc', { timeoutMs: 3000 });
    assert.ok(reply.closed);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await gw.stats()).active, 0);
  });

  test('garbage with nothing in flight: 400 with a JSON body and Connection: close', async () => {
    const reply = await rawRequest(gw.proxyAddress(), 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(reply.text, /^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n\r\n\{"message":"Bad request"\}\n$/);
    assert.ok(reply.closed);
  });

  test('--max-connections: connections over the cap are closed at once; open ones keep working', async () => {
    const open = await Promise.all([0, 1, 2].map(() => connect(gw)));
    await new Promise((r) => setTimeout(r, 50));
    const over = await connect(gw);
    const closed = await new Promise<boolean>((resolve) => {
      over.once('close', () => resolve(true));
      over.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => resolve(false), 1000);
    });
    assert.ok(closed, 'the fourth connection was closed');
    assert.match(await gw.metrics.render(), /berth_connections_refused_total 1/);
    // The three open connections are unharmed.
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      open[0]!.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.endsWith('first')) resolve(text);
      });
      open[0]!.write('GET /y HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.1 200 OK/);
    for (const s of open) s.destroy();
  });
});

describe('connections that never send a request', () => {
  /** closedWithin: whether the server closed its side of `socket` (the client's 'close') within `ms`. */
  const closedWithin = (socket: net.Socket, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), ms).unref();
    });

  test('a client that connects and half-closes (a TCP probe), before a byte or after a prefix of the h2 preface, is closed at once', async () => {
    // The listeners allow half-open sockets; a FIN while sniffing the protocol used to leave berth's
    // side in CLOSE-WAIT for the 60 s sniff timeout, each wrk run and each tcpSocket probe one more.
    const gw = await startGateway(CONFIG('127.0.0.1:9'));
    try {
      for (const first of ['', 'PRI * HTTP/2']) {
        const socket = await connect(gw);
        if (first !== '') socket.write(first);
        socket.end();
        assert.ok(await closedWithin(socket, 2_000), `berth kept its side open after ${JSON.stringify(first)} and a FIN`);
      }
    } finally {
      await gw.stop();
    }
  });

  test('stop cuts a connection that stays silent at the shutdown deadline, instead of waiting out the sniff timeout', async () => {
    const gw = await startGateway(CONFIG('127.0.0.1:9'), { shutdownTimeoutMs: 300 });
    const silent = await connect(gw);
    const started = Date.now();
    const closed = closedWithin(silent, 5_000);
    await gw.stop();
    const took = Date.now() - started;
    assert.ok(await closed, 'the silent connection was closed');
    assert.ok(took < 5_000, `stop took ${took} ms`);
  });
});

describe('readiness (GET /status/ready)', () => {
  test('503 without a config, 200 with one, 503 from the moment a drain starts', async () => {
    const backend = await startRawBackend('127.0.0.82', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
    const gw = new GatewayClass({ proxyListen: { host: '127.0.0.1', port: 0 }, adminListen: { host: '127.0.0.1', port: 0 }, keyring, log: createLogger('silent') });
    await gw.start();
    try {
      const ready = async (): Promise<[number, string]> => {
        const a = gw.adminAddress()!;
        return new Promise((resolve, reject) =>
          http.get({ host: a.host, port: a.port, path: '/status/ready' }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve([res.statusCode ?? 0, body]));
          }).on('error', reject),
        );
      };
      assert.deepEqual(await ready(), [503, '{"message":"no configuration available"}']);
      assert.ok(gw.apply(CONFIG(backend.address)).ok);
      assert.deepEqual(await ready(), [200, '{"message":"ready"}']);
      await gw.drain('SIGINT');
      assert.deepEqual(await ready(), [503, '{"message":"draining"}']);
      // Answers during the drain tell keep-alive clients to go.
      const reply = await rawRequest(gw.proxyAddress(), 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(reply.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\nConnection: close\r\n(?:[^]*\r\n)?\r\nok$/);
      assert.ok(reply.closed);
    } finally {
      await gw.stop();
      await backend.close();
    }
  });
});

function connect(gw: Gateway): Promise<net.Socket> {
  const a = gw.proxyAddress();
  return new Promise((resolve, reject) => {
    const s = net.connect(a.port, a.host, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}
