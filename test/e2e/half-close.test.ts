// A client that half-closes (sends FIN) on the proxy's plain port: it is answered what it asked
// and its connection then closes, on both HTTP/2 engines. Before, node's engine kept such a
// connection in CLOSE-WAIT for as long as the socket lived (the listeners allow half-open
// sockets, src/dataplane/http2/listeners.ts). HTTP/1.1: src/dataplane/http1/server.test.ts (a FIN after
// requests) and src/dataplane/server.test.ts (a FIN before any).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { E, F, T, H2RawClient, commonHeaders, describeEvent } from '../helpers/h2-raw.js';
import { startGateway } from '../helpers/inprocess.js';

for (const engine of ['berth', 'node'] as const) {
  describe(`h2c client half-close (${engine} engine)`, () => {
    let backend: Backend;
    let gateway: Gateway;
    let port = 0;

    before(async () => {
      backend = await startBackend({ name: 'half-close', host: '127.0.0.1' });
      gateway = await startGateway({
        _format_version: '3.0',
        services: [{ name: 'web', url: `http://${backend.address}`, routes: [{ name: 'web', paths: ['/'] }] }],
      }, { http2Engine: engine });
      port = gateway.proxyAddress().port;
    });
    after(async () => {
      await gateway?.stop();
      await backend?.close();
    });

    test('FIN after the preface and SETTINGS, no stream: the connection closes at once', async () => {
      const c = await H2RawClient.connect(port);
      c.socket.end();
      const ev = await c.wait(() => false, 3_000);
      assert.equal(ev?.kind, 'closed', `the server kept the half-closed connection open: ${describeEvent(ev)}`);
    });

    test('FIN right after a request: the answer still comes, then the connection closes', async () => {
      const c = await H2RawClient.connect(port);
      c.headers(1, commonHeaders('/'), F.END_STREAM | F.END_HEADERS);
      c.socket.end();
      const head = await c.wait((f) => f.id === 1 && (f.type === T.HEADERS || f.type === T.RST_STREAM), 5_000);
      assert.ok(head?.kind === 'frame' && head.frame.type === T.HEADERS, `got ${describeEvent(head)}`);
      assert.ok(head.frame.fields?.includes(':status') && head.frame.fields[head.frame.fields.indexOf(':status') + 1] === '200',
        `answer head: ${JSON.stringify(head.frame.fields)}`);
      const end = await c.wait(() => false, 5_000);
      assert.equal(end?.kind, 'closed', `the connection stayed open after the answer: ${describeEvent(end)}`);
    });
  });
}

// A FIN in the middle of a request body: no more of it can come, so the stream is cancelled (the
// upstream request aborted, RST_STREAM CANCEL to the client) rather than left for the upstream's
// timeouts, while a stream whose request was whole is still answered (berth's engine).
describe('h2c client half-close in the middle of a request body', () => {
  let upstream: Backend;
  let gateway: Gateway;
  let port = 0;
  const aborted: string[] = [];

  before(async () => {
    const big = Buffer.alloc(100_000, 'b');
    upstream = await startBackend({ handler: (req, res) => {
      req.on('close', () => { if (!req.complete) aborted.push(req.url ?? ''); });
      req.on('end', () => {
        if (req.url === '/big') res.end(big);
        else if (req.url === '/slow-big') setTimeout(() => res.end(big), 300);
        else res.end('whole');
      });
      req.resume();
    } });
    gateway = await startGateway({
      _format_version: '3.0',
      services: [{ name: 'web', url: `http://${upstream.address}`, routes: [{ name: 'web', paths: ['/'] }] }],
    }, { http2Engine: 'berth' });
    port = gateway.proxyAddress().port;
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  /** cancelledThenClosed: stream `id` gets RST_STREAM CANCEL, then the connection closes. */
  async function cancelledThenClosed(c: H2RawClient, id: number): Promise<void> {
    const reset = await c.wait((f) => f.id === id && f.type === T.RST_STREAM, 3_000);
    assert.ok(reset?.kind === 'frame', `stream ${id} was not reset after the FIN: ${describeEvent(reset)}`);
    assert.equal(reset.frame.payload.readUInt32BE(0), E.CANCEL);
    const end = await c.wait(() => false, 3_000);
    assert.equal(end?.kind, 'closed', `the connection stayed open: ${describeEvent(end)}`);
  }

  test('the unfinished stream is cancelled and its upstream request aborted; the whole one is answered; the connection closes', async () => {
    const c = await H2RawClient.connect(port);
    c.headers(1, commonHeaders('/unfinished', 'POST'), F.END_HEADERS);
    c.data(1, 'part of a body', false);
    c.headers(3, commonHeaders('/whole', 'POST'), F.END_HEADERS);
    c.data(3, 'all of it', true);
    // Both requests reach the upstream before the FIN.
    await c.wait((f) => f.id === 3 && f.type === T.HEADERS, 5_000);
    c.socket.end();
    await cancelledThenClosed(c, 1);
    for (let i = 0; i < 100 && aborted.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(aborted, ['/unfinished']);
    assert.ok(c.framesOf(T.DATA).some((f) => f.id === 3 && f.payload.toString() === 'whole'));
  });

  // No WINDOW_UPDATE follows a FIN either: an answer the client's window holds back can never go
  // on, whether it was held back before the FIN or only after it.
  for (const path of ['/big', '/slow-big']) {
    test(`a whole request whose answer waits for the client's window after its FIN is cancelled (${path})`, async () => {
      const c = await H2RawClient.connect(port, [[0x4 /* INITIAL_WINDOW_SIZE */, 10]]);
      c.headers(1, commonHeaders(path), F.END_STREAM | F.END_HEADERS);
      if (path === '/big') await c.wait((f) => f.id === 1 && f.type === T.HEADERS, 5_000);
      c.socket.end();
      await cancelledThenClosed(c, 1);
    });
  }
});
