import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { tlsListener, type H2Acceptor } from './listeners.js';

const NO_H2: H2Acceptor = { accept: (socket) => socket.destroy(), openSessions: 0, shutdown: () => {}, destroyAll: () => {} };

test('TLS port: a connection closed (FIN) or silent before its ClientHello is closed at the handshake timeout, not node\'s 120 s', async () => {
  const server = tlsListener(new EventEmitter(), NO_H2, (_name, cb) => cb(null, undefined), 300);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  try {
    const probe = net.connect(port, '127.0.0.1', () => probe.end()); // connects and closes, as a tcpSocket probe
    const silent = net.connect(port, '127.0.0.1');
    for (const socket of [probe, silent]) socket.on('error', () => {});
    const started = Date.now();
    const closed = (socket: net.Socket): Promise<number> => new Promise((r) => socket.once('close', () => r(Date.now() - started)));
    const [probeMs, silentMs] = await Promise.all([closed(probe), closed(silent)]);
    assert.ok(probeMs < 5_000 && silentMs < 5_000, `closed after ${probeMs} / ${silentMs} ms`);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
