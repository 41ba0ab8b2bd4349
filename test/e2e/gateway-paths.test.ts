// End-to-end: the router and the upstream see the normalized path, so dot segments and
// percent-escapes cannot reach a route that the literal path text would not match.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';

/** rawGet sends the request line exactly as given (URL clients would normalize it themselves). */
function rawGet(host: string, port: number, target: string, halfClose = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    const head = `GET ${target} HTTP/1.1\r\nHost: paths.test\r\nConnection: close\r\n\r\n`;
    if (halfClose) socket.end(head);
    else socket.write(head);
  });
}

describe('gateway path normalization', () => {
  let backend: Backend;
  let gw: GatewayProcess;

  before(async () => {
    backend = await startBackend({ name: 'public', host: '127.0.0.9' });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{ name: 'public', url: `http://${backend.address}`, routes: [{ name: 'public', paths: ['/public'], strip_path: false }] }],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await backend?.close();
  });

  test('dot segments are resolved before matching and forwarding', async () => {
    const escaped = await rawGet(gw.proxy.host, gw.proxy.port, '/public/../admin');
    assert.equal(escaped.status, 404);
    const inside = await rawGet(gw.proxy.host, gw.proxy.port, '/public/a/../b?x=1');
    assert.equal(inside.status, 200);
    assert.equal(JSON.parse(inside.body).url, '/public/b?x=1');
  });

  test('escaped unreserved characters match like their plain form', async () => {
    const res = await rawGet(gw.proxy.host, gw.proxy.port, '/%70ublic//x');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).url, '/public/x');
  });

  test('a client that half-closes after its request still gets the answer', async () => {
    const res = await rawGet(gw.proxy.host, gw.proxy.port, '/public/half', true);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).url, '/public/half');
  });
});
