// Issue 9 findings 2 and 3, end to end in process: exact bytes from a raw backend, exact bytes at
// a raw client, and what the backend received on which connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../gateway.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { rawRequest, startRawBackend, type RawBackend } from '../../../test/helpers/raw.js';

/** Each path names the response the backend sends for it (one per request head received). */
const ANSWERS: Record<string, string> = {
  '/both': 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  '/plain': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '/bare-lf': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n',
  '/repeated-cr': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\r\r\nhello\r\n0\r\n\r\n',
  '/ctl-ext': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n',
  '/bad-chunk': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n',
  '/listed': 'HTTP/1.1 200 OK\r\nConnection: X-Secret, keep-alive\r\nX-Secret: 1\r\nX-Keep: 2\r\nContent-Length: 2\r\n\r\nok',
};

describe('response framing (issue 9 findings 2, 3)', () => {
  let backend: RawBackend;
  let gw: Gateway;

  before(async () => {
    backend = await startRawBackend('127.0.0.41', (socket, soFar) => {
      // Answer every complete request head not answered yet on this connection.
      const heads = soFar.split('\r\n\r\n').slice(0, -1);
      const answered = (socket as unknown as { answered?: number }).answered ?? 0;
      for (const head of heads.slice(answered)) socket.write(ANSWERS[/^GET (\S+)/.exec(head)?.[1] ?? ''] ?? 'HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n', 'latin1');
      (socket as unknown as { answered?: number }).answered = heads.length;
    });
    gw = await startGateway({
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', retries: 0, routes: [{ name: 'r', paths: ['/'], strip_path: false }] }],
      upstreams: [{ name: 'up', targets: [{ target: backend.address }] }],
    });
  });

  after(async () => {
    await gw.stop();
    await backend.close();
  });

  const get = (path: string): Promise<string> =>
    rawRequest(gw.proxyAddress(), `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`).then((r) => r.text);

  test('Content-Length with Transfer-Encoding: the body is the chunked one and that upstream connection is closed', async () => {
    backend.received.length = 0;
    const first = await get('/both');
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(first, /Content-Length: 50/i);
    assert.match(first, /\r\n\r\n(?:5\r\nhello\r\n0\r\n\r\n|hello)$/);
    const second = await get('/plain');
    assert.match(second, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    // Two connections, one request head each: the first was not reused after the CL+TE response.
    assert.equal(backend.received.length, 2);
    assert.match(backend.received[0]!, /^GET \/both HTTP\/1\.1\r\n[^]*\r\n\r\n$/);
    assert.match(backend.received[1]!, /^GET \/plain HTTP\/1\.1\r\n[^]*\r\n\r\n$/);
  });

  for (const path of ['/bare-lf', '/repeated-cr', '/ctl-ext', '/bad-chunk']) {
    test(`${path}: a malformed first chunk gets a 502 with Kong's body, not an empty reply`, async () => {
      const reply = await get(path);
      assert.match(reply, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
      assert.match(reply, /\{"message":"An invalid response was received from the upstream server"\}\n$/);
      assert.doesNotMatch(reply, /hello/);
    });
  }

  test('response headers the upstream lists in Connection are removed (RFC 9110 s7.6.1)', async () => {
    const reply = await get('/listed');
    assert.match(reply, /\r\nX-Keep: 2\r\n/);
    assert.doesNotMatch(reply, /X-Secret/i);
  });
});
