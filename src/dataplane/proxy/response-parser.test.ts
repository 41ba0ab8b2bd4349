import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ResponseParser, type ResponseHandler } from './response-parser.js';

interface Parsed {
  status: number;
  headers: string[];
  body: string;
  keepAlive: boolean | null;
  error: string | null;
}

/** feed parses `text` delivered in pieces cut at `cuts`; `close` simulates the upstream closing. */
function feed(text: string, cuts: number[] = [], opts: { head?: boolean; close?: boolean } = {}): Parsed {
  const out: Parsed = { status: 0, headers: [], body: '', keepAlive: null, error: null };
  const handler: ResponseHandler = {
    onResponseHead: (s, h) => ((out.status = s), (out.headers = h)),
    onResponseBody: (c) => (out.body += c.toString('latin1')),
    onResponseEnd: (last, keepAlive) => {
      if (last !== null) out.body += last.toString('latin1');
      out.keepAlive = keepAlive;
    },
    onResponseError: (reason) => (out.error = reason),
    onUpgrade: () => (out.error = 'unexpected upgrade'),
  };
  const parser = new ResponseParser();
  parser.expect(handler, opts.head === true, false);
  const buf = Buffer.from(text, 'latin1');
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((x, y) => x - y)) {
    if (cut <= start || cut >= buf.length) continue;
    if (parser.busy) parser.execute(buf.subarray(start, cut));
    start = cut;
  }
  if (parser.busy) parser.execute(buf.subarray(start));
  if (opts.close && parser.endsAtClose) parser.finishAtClose();
  return out;
}

describe('ResponseParser', () => {
  test('content-length body, hop-by-hop headers removed, keep-alive', () => {
    const r = feed('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-A: 1\r\n\r\nhello');
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, ['Content-Length', '5', 'X-A', '1']);
    assert.equal(r.body, 'hello');
    assert.equal(r.keepAlive, true);
  });

  test('chunked body is decoded, Transfer-Encoding dropped, trailers skipped', () => {
    const r = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n');
    assert.deepEqual(r.headers, []);
    assert.equal(r.body, 'hello!');
    assert.equal(r.keepAlive, true);
  });

  // Issue 9 finding 2: Content-Length with Transfer-Encoding left the connection in the pool.
  test('Content-Length with Transfer-Encoding: chunked wins, Content-Length is dropped, the connection is not reused', () => {
    const r = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.deepEqual(r.headers, []);
    assert.equal(r.body, 'hello');
    assert.equal(r.keepAlive, false);
  });

  test('no length: the body runs until close and the connection is not reused', () => {
    const r = feed('HTTP/1.1 200 OK\r\nX: y\r\n\r\nabc', [], { close: true });
    assert.equal(r.body, 'abc');
    assert.equal(r.keepAlive, false);
  });

  test('HEAD, 204 and 304 have no body; 1xx interim responses are skipped', () => {
    assert.equal(feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', [], { head: true }).keepAlive, true);
    assert.equal(feed('HTTP/1.1 204 No Content\r\n\r\n').keepAlive, true);
    const r = feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(r.status, 201);
    assert.equal(r.body, 'ok');
  });

  test('HTTP/1.0 and Connection: close are not kept alive', () => {
    assert.equal(feed('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx').keepAlive, false);
    assert.equal(feed('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx').keepAlive, false);
  });

  test('garbage is an error, never a throw', () => {
    for (const bad of [
      'HTTP/1.1 2OO OK\r\n\r\n',
      'NOT HTTP\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
      'HTTP/1.1 200 OK\r\n folded: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      const r = feed(bad);
      assert.ok(r.error !== null, `no error for ${JSON.stringify(bad)}`);
    }
  });

  test('extra bytes after a complete response forbid reuse', () => {
    assert.equal(feed('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA').keepAlive, false);
    assert.equal(feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nEXTRA').keepAlive, false);
    assert.equal(feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n').keepAlive, true);
  });

  test('any split of a valid response parses the same (property)', () => {
    const chunked = (parts: string[]): string => parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(400), { maxLength: 8 }),
        (parts, useChunked, cuts) => {
          const body = parts.join('');
          const latin = Buffer.from(body, 'utf8').toString('latin1');
          const wire = useChunked
            ? 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + chunked(parts.map((p) => Buffer.from(p, 'utf8').toString('latin1')))
            : `HTTP/1.1 200 OK\r\nContent-Length: ${latin.length}\r\n\r\n${latin}`;
          const r = feed(wire, cuts);
          assert.equal(r.error, null);
          assert.equal(r.body, latin);
          assert.equal(r.keepAlive, true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes never throw (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (bytes, cuts) => {
        feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + Buffer.from(bytes).toString('latin1'), cuts);
        feed(Buffer.from(bytes).toString('latin1'), cuts);
      }),
      { numRuns: 300 },
    );
  });
});
