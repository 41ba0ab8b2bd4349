// Regression tests for two findings of the attack run on berth's HTTP/2 engine
// (test/e2e/h2-attacks.test.ts holds the attacks it withstood): each failed before its fix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { F, T, H2RawClient, commonHeaders, describeEvent, frameBytes, settingsBytes } from '../helpers/h2-raw.js';
import { startGateway } from '../helpers/inprocess.js';

let backend: Backend;
let gateway: Gateway;
let port = 0;

describe('h2 attack fixes (berth engine)', () => {
  before(async () => {
    backend = await startBackend({ name: 'findings', host: '127.0.0.1' });
    gateway = await startGateway({
      _format_version: '3.0',
      services: [{ name: 'web', url: `http://${backend.address}`, routes: [{ name: 'web', paths: ['/'] }] }],
    }, { http2Engine: 'berth' });
    port = gateway.proxyAddress().port;
  });
  after(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  // server-stream.ts: resume() after a pause() taken inside the 'data' handler only schedules
  // release when bytes are held; an END_STREAM that arrived while paused (pushEnd) is then never
  // emitted as 'end'. Seen when the last DATA (END_STREAM set) fills the HTTP/1.1 upstream socket's
  // highWaterMark (16 KiB: a chunk of >= ~16,376 octets plus chunked framing) -> request hangs.
  for (const size of [16_380, 16_384, 40_000]) {
    test(`POST without content-length, ${size}-octet body in DATA frames ending with END_STREAM, gets its answer`, { timeout: 15_000 }, async () => {
      const c = await H2RawClient.connect(port);
      try {
        c.headers(1, commonHeaders('/', 'POST'), F.END_HEADERS);
        for (let at = 0; at < size; at += 16_384) c.data(1, Buffer.alloc(Math.min(16_384, size - at), 0x78), at + 16_384 >= size);
        const ev = await c.wait((f) => f.id === 1 && (f.type === T.HEADERS || f.type === T.RST_STREAM) || f.type === T.GOAWAY, 5000);
        assert.ok(ev?.kind === 'frame' && ev.frame.type === T.HEADERS, `got ${describeEvent(ev)}`);
      } finally { c.close(); }
    });
  }

  // client-connection.ts onSettings/onPing: every SETTINGS/PING from an upstream is acknowledged
  // with out(), with no cap when the upstream does not read (the server side has MAX_PENDING_ACKS
  // in connection.ts). A hostile upstream that floods PINGs and never reads grows berth's socket
  // write queue without bound: 3,000,000 PINGs (51 MB) -> +584 MB RSS, +470 MB heap in one probe
  // (/tmp/h2review/pingflood.mts); node's engine (nghttp2) ends that upstream connection after
  // ~240,000 and answers the client. Now: the upstream connection is ended (GOAWAY
  // ENHANCE_YOUR_CALM) long before the flood is through, and the client gets an error answer.
  for (const kind of ['PING', 'SETTINGS'] as const) {
    test(`a hostile h2c upstream flooding ${kind} without reading loses its connection (bounded ack queue)`, { timeout: 40_000 }, async () => {
      let sent = 0;
      let closedAt = -1;
      const TOTAL = 3_000_000;
      const flood = kind === 'PING' ? frameBytes(T.PING, 0, 0, Buffer.alloc(8)) : settingsBytes([[4, 65_535]]);
      const burst = Buffer.concat(Array.from({ length: 10_000 }, () => flood));
      const server = net.createServer((s) => {
        s.on('error', () => {});
        s.on('close', () => { if (closedAt < 0) closedAt = sent; });
        s.once('data', () => {
          s.pause();
          s.write(settingsBytes([]));
          const pump = (): void => {
            while (sent < TOTAL && !s.destroyed) {
              sent += 10_000;
              if (!s.write(burst)) return void s.once('drain', pump);
            }
          };
          pump();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const up = (server.address() as net.AddressInfo).port;
      const gw = await startGateway({ _format_version: '3.0', services: [{ name: 'p', protocol: 'grpc', host: '127.0.0.1', port: up, read_timeout: 60_000, routes: [{ name: 'p', protocols: ['grpc'], paths: ['/'], strip_path: false }] }] }, { http2Engine: 'berth' });
      const c = await H2RawClient.connect(gw.proxyAddress().port);
      try {
        c.headers(1, commonHeaders('/flood'));
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && sent < TOTAL && closedAt < 0) await new Promise((r) => setTimeout(r, 100));
        assert.ok(closedAt >= 0 && closedAt < TOTAL, `berth took all ${sent} ${kind} frames from an upstream that never reads (closed at ${closedAt})`);
      } finally {
        c.close();
        await gw.stop();
        server.close();
      }
    });
  }
});
