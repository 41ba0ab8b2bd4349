// A client that half-closes (sends FIN) on the proxy's plain port: it is answered what it asked
// and its connection then closes, on both HTTP/2 engines. Before, node's engine kept such a
// connection in CLOSE-WAIT for as long as the socket lived (the listeners allow half-open
// sockets, src/dataplane/http2/listeners.ts). HTTP/1.1: src/dataplane/http1/server.test.ts (a FIN after
// requests) and src/dataplane/server.test.ts (a FIN before any).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { F, T, H2RawClient, commonHeaders, describeEvent } from '../helpers/h2-raw.js';
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
