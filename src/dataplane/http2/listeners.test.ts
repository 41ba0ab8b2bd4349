import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { firstRecordComplete, tlsListener, type H2Acceptor } from './listeners.js';

const NO_H2: H2Acceptor = { accept: (socket) => socket.destroy(), shutdown: () => {}, destroyAll: () => {} };

test('TLS port: a connection closed (FIN) before or during its ClientHello is closed at once; a silent or stalled one at the handshake timeout, not node\'s 120 s', async () => {
  const { listener } = tlsListener(new EventEmitter(), NO_H2, (_name, cb) => cb(null, undefined), 1_000);
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const { port } = listener.address() as net.AddressInfo;
  try {
    const started = Date.now();
    const probe = net.connect(port, '127.0.0.1', () => probe.end()); // connects and closes, as a tcpSocket probe
    const silent = net.connect(port, '127.0.0.1');
    // The first byte of a TLS record (a handshake, 0x16), then nothing: the handshake's own timeout.
    const stalled = net.connect(port, '127.0.0.1', () => stalled.write(Buffer.from([0x16])));
    // A handshake record announcing 256 bytes, 16 of them sent, then FIN (a scanner's cut ClientHello).
    const cut = net.connect(port, '127.0.0.1', () => cut.end(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00]), Buffer.alloc(16, 1)])));
    // A record of 16,000 bytes announced, then a byte every 100 ms: the deadline counts from the accept, not from the last byte.
    const trickle = net.connect(port, '127.0.0.1', () => trickle.write(Buffer.from([0x16, 0x03, 0x01, 0x3e, 0x80])));
    const dribble = setInterval(() => trickle.writable && trickle.write(Buffer.from([1])), 100);
    for (const socket of [probe, silent, stalled, cut, trickle]) socket.on('error', () => {});
    const closed = (socket: net.Socket): Promise<number> => new Promise((r) => socket.once('close', () => r(Date.now() - started)));
    const [probeMs, silentMs, stalledMs, cutMs, trickleMs] = await Promise.all([closed(probe), closed(silent), closed(stalled), closed(cut), closed(trickle)]);
    clearInterval(dribble);
    assert.ok(trickleMs >= 900 && trickleMs < 5_000, `the trickling ClientHello was closed after ${trickleMs} ms`);
    assert.ok(probeMs < 500, `the probe was closed after ${probeMs} ms`);
    assert.ok(cutMs < 500, `the cut ClientHello was closed after ${cutMs} ms`);
    assert.ok(silentMs >= 900 && silentMs < 5_000, `the silent connection was closed after ${silentMs} ms`);
    assert.ok(stalledMs >= 900 && stalledMs < 5_000, `the stalled handshake was closed after ${stalledMs} ms`);
  } finally {
    await new Promise((r) => listener.close(r));
  }
});

test('the first TLS record is whole once its announced length came; other bytes go to the TLS server at once', () => {
  const record = (length: number, sent: number) => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, length >> 8, length & 0xff]), Buffer.alloc(sent)]);
  assert.equal(firstRecordComplete(Buffer.from([0x16])), false);
  assert.equal(firstRecordComplete(Buffer.from([0x16, 0x03, 0x01, 0x01])), false);
  assert.equal(firstRecordComplete(record(300, 299)), false);
  assert.equal(firstRecordComplete(record(300, 300)), true);
  assert.equal(firstRecordComplete(record(300, 400)), true, 'the next record may follow');
  assert.equal(firstRecordComplete(record(16_385, 0)), true, 'longer than a record may be: the TLS server refuses it');
  assert.equal(firstRecordComplete(Buffer.from('GET / HTTP/1.1\r\n')), true, 'not TLS: the TLS server refuses it');
});
