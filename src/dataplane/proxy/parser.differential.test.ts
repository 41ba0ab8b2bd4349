// berth's response parser against node's own llhttp (issue 9, "Framing is strict and proven"):
// the same random and adversarial byte streams go to ResponseParser (split at random points) and,
// through a raw socket, to node's http client; both must give the same verdict: same status,
// headers, body bytes and keep-alive decision, or both reject. Plus llhttp's own response cases
// (github nodejs/llhttp test/response/*.md), ported as inputs and expected outcomes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { ResponseParser, type ResponseHandler } from './response-parser.js';

/** Verdict: what a parser made of one response (headers already filtered as a proxy forwards them). */
type Verdict =
  | { ok: true; status: number; headers: string[]; body: string; keepAlive: boolean }
  | { ok: false; reason: string };

/** berthVerdict feeds `wire` in pieces cut at `cuts`, then closes the connection. */
function berthVerdict(wire: Buffer, cuts: number[]): Verdict {
  let verdict: Verdict | null = null;
  let status = 0;
  let headers: string[] = [];
  let body = '';
  const handler: ResponseHandler = {
    onResponseHead: (s, h) => ((status = s), (headers = h)),
    onResponseBody: (c) => (body += c.toString('latin1')),
    onResponseEnd: (last, keepAlive) => {
      if (last !== null) body += last.toString('latin1');
      verdict = { ok: true, status, headers, body, keepAlive };
    },
    onResponseError: (reason) => (verdict = { ok: false, reason }),
    onUpgrade: () => (verdict = { ok: false, reason: 'upgrade' }),
  };
  const parser = new ResponseParser();
  parser.expect(handler, false, false);
  let start = 0;
  // A read that arrives after the response ended closes the connection (UpstreamConnection.onData).
  let lateBytes = false;
  for (const cut of [...new Set(cuts), wire.length].sort((a, b) => a - b)) {
    if (cut <= start || cut > wire.length) continue;
    if (parser.busy) parser.execute(wire.subarray(start, cut));
    else lateBytes = true;
    start = cut;
  }
  if (parser.busy && parser.endsAtClose) parser.finishAtClose();
  const v = (verdict as Verdict | null) ?? { ok: false, reason: 'incomplete at close' };
  return v.ok && lateBytes ? { ...v, keepAlive: false } : v;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * forwardable: node's raw headers as a proxy must forward them: minus hop-by-hop names and the
 * names Connection lists (RFC 9110 s7.6.1; Content-Length and Upgrade excepted, as in
 * response-head.ts), minus Content-Length when Transfer-Encoding is present (RFC 9112 s6.3).
 */
function forwardable(raw: string[]): string[] {
  const listed = new Set<string>();
  let te = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'transfer-encoding') te = true;
    if (name !== 'connection') continue;
    for (const t of raw[i + 1]!.split(',')) {
      const token = t.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
      if (token !== '' && token !== 'close' && token !== 'keep-alive' && token !== 'upgrade' && token !== 'content-length') listed.add(token);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || listed.has(name) || (te && name === 'content-length')) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** The oracle: a raw server writes case N's bytes for GET /N and closes; node's client parses. */
const cases = new Map<number, Buffer>();
let nextCase = 0;
let oracle: net.Server;
let oraclePort = 0;

function nodeVerdict(wire: Buffer): Promise<Verdict> {
  const id = nextCase++;
  cases.set(id, wire);
  return new Promise((resolve) => {
    let settled = false;
    const agent = new http.Agent({ keepAlive: true });
    const done = (v: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cases.delete(id);
      agent.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'oracle timeout' }), 3000);
    // Bytes after a complete response make node's client fail on a "next response" it never
    // asked for: that connection is not reusable either, which is berth's verdict for it.
    let garbageAfter = false;
    const req = http.request({ host: '127.0.0.1', port: oraclePort, path: `/${id}`, agent }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('error', () => {});
      res.on('close', () =>
        setTimeout(() => {
          if (!res.complete) return done({ ok: false, reason: 'incomplete at close' });
          const keepAlive = req.shouldKeepAlive && !garbageAfter;
          done({ ok: true, status: res.statusCode ?? 0, headers: forwardable(res.rawHeaders), body, keepAlive });
        }, 5),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if ((req as unknown as { res?: http.IncomingMessage }).res?.complete === true) garbageAfter = true;
      else done({ ok: false, reason: err.code ?? err.message });
    });
    req.end();
  });
}

/**
 * assertSameVerdict: equal outcomes, or both reject, with three deliberate differences, each
 * checked narrowly:
 * - Content-Length together with Transfer-Encoding: llhttp 9 rejects it; berth follows RFC 9112
 *   s6.3 (Transfer-Encoding wins, Content-Length is dropped) and closes the connection after it,
 *   as HAProxy does (issue 9, finding 2), so the response must not be kept alive.
 * - A bare CR in the head: node 20's llhttp 9.3.1 takes `OK\r\r` as a line end; llhttp 9.4
 *   rejects it (test/response/invalid.md "Bare CR followed by CR after response line"), so does berth.
 * - A status line of HTTP/0.9 or HTTP/2.0: llhttp takes them; berth answers 502 (it sends HTTP/1.1
 *   upstream; another version in the answer is not a response it can forward).
 * - Empty lines after a complete response: llhttp skips them before a next status line; berth
 *   never reuses a connection that sent anything after its response (so the verdict must match
 *   once they are cut off).
 * - A tab after the Content-Length digits: node 20's llhttp 9.3.1 rejects it; RFC 9110 s5.6.3
 *   allows it and llhttp 9.4.0 accepts it (#810, test/response/content-length.md), so does berth.
 */
function assertSameVerdict(wire: Buffer, ours: Verdict, theirs: Verdict): void {
  const text = JSON.stringify(wire.toString('latin1'));
  // Every head, interim ones included: the wire up to its last blank line.
  const all = wire.toString('latin1');
  const blank = all.lastIndexOf('\r\n\r\n');
  const head = blank < 0 ? all : all.slice(0, blank);
  if (!theirs.ok && !ours.ok) return;
  if (!theirs.ok && ours.ok && /^HPE_INVALID_(TRANSFER_ENCODING|CONTENT_LENGTH)$/.test(theirs.reason)) {
    if (/\r\ncontent-length:/i.test(head) && /\r\ntransfer-encoding:/i.test(head)) {
      return assert.equal(ours.keepAlive, false, `CL+TE response kept alive: ${text}`);
    }
    if (/\r\ncontent-length:[ \t]*\d+[ \t]*\t/i.test(head)) return;
  }
  if (theirs.ok && !ours.ok && (/\r(?!\n)/.test(head) || /(?:^|\r\n\r\n)HTTP\/(?!1\.[01] )/.test(head))) return;
  if (ours.ok && theirs.ok && !ours.keepAlive && theirs.keepAlive) {
    const run = /[\r\n]*$/.exec(all)![0].length;
    for (let cut = 1; cut <= run; cut++) {
      if (isDeepStrictEqual(berthVerdict(wire.subarray(0, wire.length - cut), []), theirs)) return;
    }
  }
  assert.deepEqual(ours, theirs, `verdicts differ for ${text}`);
}

// ---- generators: mostly well-formed responses, with adversarial bytes in every place ----

const weird = <T>(normal: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, oddWeight = 1): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: normal, weight: 10 }, { arbitrary: odd, weight: oddWeight });
const eol = weird(fc.constant('\r\n'), fc.constantFrom('\n', '\r', '\r\r\n', '\n\r', '\r\n\r', ''));
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,8}$/);
const valueText = weird(
  fc.stringMatching(/^[ -~]{0,12}$/),
  fc.array(fc.constantFrom(' ', '\t', 'a', '\x01', '\x7f', '\xa0', '\xff', '\x00', '\x0b', '\x0c', '"'), { maxLength: 6 }).map((a) => a.join('')),
);
const headerName = weird(
  fc.oneof(token, fc.constantFrom('Server', 'X-A', 'x-a', 'Set-Cookie', 'Keep-Alive', 'Proxy-Connection', 'TE', 'Trailer', 'Upgrade', 'Date')),
  fc.constantFrom('X A', 'X\tA', ' X-A', '', 'X(A)', '\xc4', 'X-A '),
);
const framingHeader = (bodyLength: number): fc.Arbitrary<[string, string]> =>
  fc.oneof(
    { arbitrary: fc.constantFrom<[string, string]>(['Transfer-Encoding', 'chunked'], ['transfer-encoding', 'CHUNKED'], ['Transfer-Encoding', 'gzip, chunked']), weight: 3 },
    { arbitrary: fc.constantFrom<[string, string]>(['Transfer-Encoding', 'chunked, gzip'], ['Transfer-Encoding', 'identity'], ['Transfer-Encoding', 'chunkedchunked'], ['Transfer-Encoding', 'chunked ']), weight: 1 },
    { arbitrary: fc.constant<[string, string]>(['Content-Length', String(bodyLength)]), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        ['Content-Length', String(bodyLength + 1)], ['Content-Length', ` ${bodyLength}\t`], ['Content-Length', `+${bodyLength}`],
        ['Content-Length', `${bodyLength}, ${bodyLength}`], ['Content-Length', ''], ['Content-Length', '0x1'],
      ) as fc.Arbitrary<[string, string]>,
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom<[string, string]>(
        ['Connection', 'close'], ['Connection', 'keep-alive'], ['Connection', 'Keep-Alive, X-A'], ['Connection', 'x-close'],
        ['Connection', 'close,,keep-alive'], ['connection', 'X-A, Set-Cookie'], ['Connection', 'upgrade'], ['Keep-Alive', 'timeout=5'],
      ),
      weight: 2,
    },
  );
const chunkExt = weird(
  fc.constantFrom('', '', '', ';a', ';a=b', ';a="q v"', ';a="x\\"y";b', ';a=b;c=d'),
  fc.constantFrom(';', '; a', ';a =b', ';a=\x01', ';a\x7f', ';a="\x01"', ';a="open', ' ', '\t', ';a=b ', ';"a"'),
);
const chunkSize = (n: number): fc.Arbitrary<string> =>
  weird(fc.constantFrom(n.toString(16), n.toString(16).toUpperCase(), '00' + n.toString(16)), fc.constantFrom(`${n.toString(16)} `, `\t${n.toString(16)}`, `-${n}`, `${n.toString(16)}g`, ''));
const chunk = fc
  .string({ maxLength: 12 })
  .map((s) => Buffer.from(s, 'utf8').toString('latin1'))
  .chain((data) =>
    fc.tuple(chunkSize(data.length), chunkExt, eol, eol).map(([size, ext, e1, e2]) => (data === '' ? '' : size + ext + e1 + data + e2)),
  );
const trailers = weird(fc.constantFrom('', '', 'X-T: 1\r\n', 'X-T: a\r\nX-U: b\r\n'), fc.constantFrom('X-T: 1\n', ' X: 1\r\n', 'X-T 1\r\n', 'X-T: \x01\r\n', 'X-T: 1\r\n x\r\n'));
const chunkedBody = fc
  .tuple(fc.array(chunk, { maxLength: 4 }), fc.constantFrom('0', '000'), chunkExt, eol, trailers, eol)
  .map(([chunks, zero, ext, e1, t, e2]) => chunks.join('') + zero + ext + e1 + t + e2);

const response = fc
  .record({
    interim: weird(fc.constant(''), fc.constantFrom('HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n')),
    version: weird(fc.constantFrom('1.1', '1.1', '1.0'), fc.constantFrom('1.2', '2.0', '01.1', '1.01')),
    status: weird(fc.constantFrom('200', '201', '204', '304', '404', '500', '302'), fc.constantFrom('2OO', '20', '2000', '199', '999')),
    reason: weird(fc.constantFrom(' OK', ' Not Found', '', ' '), fc.constantFrom('\tOK', ' O\x01K', '  OK', ' \xe9')),
    statusEol: eol,
    headers: fc.array(fc.tuple(headerName, weird(fc.constant(':'), fc.constantFrom(' :', '::', '')), valueText, eol), { maxLength: 4 }),
    fold: weird(fc.constant(''), fc.constantFrom(' folded\r\n', '\tfolded\r\n')),
    closeLine: eol,
    plain: fc.string({ maxLength: 16 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
    chunked: chunkedBody,
  })
  .chain((r) => fc.array(framingHeader(r.plain.length), { maxLength: 3 }).map((framing) => ({ ...r, framing })))
  .map((r) => {
    let head = `${r.interim}HTTP/${r.version} ${r.status}${r.reason}${r.statusEol}`;
    for (const [name, value] of r.framing) head += `${name}: ${value}\r\n`;
    for (const [name, sep, value, e] of r.headers) head += name + sep + ' ' + value + e;
    head += r.fold + r.closeLine;
    const chunkedFraming = r.framing.some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && /chunked$/i.test(v));
    return Buffer.from(head + (chunkedFraming ? r.chunked : r.plain), 'latin1');
  });

describe('response parser: same verdicts as node llhttp', () => {
  before(async () => {
    oracle = net.createServer((socket) => {
      socket.on('error', () => {});
      let seen = '';
      socket.on('data', (d: Buffer) => {
        seen += d.toString('latin1');
        const m = /^GET \/(\d+) /.exec(seen);
        if (m === null || !seen.includes('\r\n\r\n')) return;
        socket.end(cases.get(Number(m[1])) ?? Buffer.alloc(0));
      });
    });
    await new Promise<void>((r) => oracle.listen(0, '127.0.0.1', () => r()));
    oraclePort = (oracle.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((r) => oracle.close(() => r())));

  test('random and adversarial responses, split at random points (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(response, fc.array(fc.nat(200), { maxLength: 6 }), async (wire, cuts) => {
        assertSameVerdict(wire, berthVerdict(wire, cuts), await nodeVerdict(wire));
      }),
      { seed: Number(process.env.DIFF_SEED ?? 0x5eed9), numRuns: Number(process.env.DIFF_RUNS ?? 600) },
    );
  });

  // Cases from nodejs/llhttp test/response/*.md (their http blocks end lines in CRLF; `\r`, `\n`
  // written out are bare). Expected outcomes are llhttp's, and the oracle must agree too.
  const C = (lines: string[]): string => lines.join('\r\n');
  const ported: Array<{ source: string; name: string; wire: string; expect: { status: number; body: string; keepAlive?: boolean } | 'error' }> = [
    { source: 'transfer-encoding.md', name: 'Trailing space on chunked body', expect: 'error',
      wire: C(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Transfer-Encoding: chunked', '', '25  ', 'This is the data in the first chunk', '', '1C', 'and this is the second one', '', '0  ', '', '']) },
    { source: 'transfer-encoding.md', name: '`chunked` before other transfer-encoding', expect: { status: 200, body: 'World', keepAlive: false },
      wire: C(['HTTP/1.1 200 OK', 'Accept: */*', 'Transfer-Encoding: chunked, deflate', '', 'World']) },
    { source: 'transfer-encoding.md', name: 'multiple transfer-encoding where chunked is not the last one', expect: { status: 200, body: 'World', keepAlive: false },
      wire: C(['HTTP/1.1 200 OK', 'Accept: */*', 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity', '', 'World']) },
    { source: 'transfer-encoding.md', name: '`chunkedchunked` transfer-encoding does not enable chunked encoding', expect: { status: 200, body: '2\r\nOK\r\n0\r\n\r\n', keepAlive: false },
      wire: C(['HTTP/1.1 200 OK', 'Accept: */*', 'Transfer-Encoding: chunkedchunked', '', '2', 'OK', '0', '', '']) },
    { source: 'transfer-encoding.md', name: 'Chunk extensions', expect: { status: 200, body: 'hello world' },
      wire: C(['HTTP/1.1 200 OK', 'Host: localhost', 'Transfer-encoding: chunked', '', '5;ilovew3;somuchlove=aretheseparametersfor', 'hello', '6;blahblah;blah', ' world', '0', '', '']) },
    { source: 'transfer-encoding.md', name: 'No semicolon before chunk extensions', expect: 'error',
      wire: C(['HTTP/1.1 200 OK', 'Host: localhost', 'Transfer-encoding: chunked', '', '2 erfrferferf', 'aa', '0 rrrr', '', '']) },
    { source: 'transfer-encoding.md', name: 'No extension after semicolon', expect: 'error',
      wire: C(['HTTP/1.1 200 OK', 'Host: localhost', 'Transfer-encoding: chunked', '', '2;', 'aa', '0', '', '']) },
    { source: 'transfer-encoding.md', name: 'Chunk extensions quoting', expect: { status: 200, body: 'hello world' },
      wire: C(['HTTP/1.1 200 OK', 'Host: localhost', 'Transfer-Encoding: chunked', '', '5;ilovew3="I love; extensions";somuchlove="aretheseparametersfor";blah;foo=bar', 'hello', '6;blahblah;blah', ' world', '0', '', '']) },
    { source: 'transfer-encoding.md', name: 'Unbalanced chunk extensions quoting', expect: 'error',
      wire: C(['HTTP/1.1 200 OK', 'Host: localhost', 'Transfer-Encoding: chunked', '', '5;ilovew3="abc";somuchlove="def; ghi', 'hello', '6;blahblah;blah', ' world', '0', '', '']) },
    { source: 'invalid.md', name: 'Incomplete HTTP protocol', expect: 'error', wire: C(['HTP/1.1 200 OK', '', '']) },
    { source: 'invalid.md', name: 'Extra digit in HTTP major version', expect: 'error', wire: C(['HTTP/01.1 200 OK', '', '']) },
    { source: 'invalid.md', name: 'Extra digit in HTTP minor version', expect: 'error', wire: C(['HTTP/1.01 200 OK', '', '']) },
    { source: 'invalid.md', name: 'Tab after HTTP version', expect: 'error', wire: C(['HTTP/1.1\t200 OK', '', '']) },
    { source: 'invalid.md', name: 'Headers separated by CR', expect: 'error', wire: C(['HTTP/1.1 200 OK', 'Foo: 1\rBar: 2', '', '']) },
    { source: 'invalid.md', name: 'Bare CR after response line', expect: 'error', wire: C(['HTTP/1.1 200 OK\rContent-Length: 0', '', '']) },
    { source: 'invalid.md', name: 'Bare CR followed by CR after response line', expect: 'error', wire: C(['HTTP/1.1 200 OK\r\rContent-Length: 4', '', 'Evil']) },
    { source: 'invalid.md', name: 'Invalid HTTP version', expect: 'error', wire: C(['HTTP/5.6 200 OK', '', '']) },
    { source: 'invalid.md', name: 'Invalid space after start line', expect: 'error', wire: C(['HTTP/1.1 200 OK', ' Host: foo', '', '']) },
    { source: 'sample.md', name: 'No carriage ret', expect: 'error', wire: 'HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nConnection: close\n\nthese headers are from http://news.ycombinator.com/' },
    { source: 'sample.md', name: 'Spaces in header name', expect: 'error',
      wire: C(['HTTP/1.1 200 OK', 'Server: Microsoft-IIS/6.0', 'X-Powered-By: ASP.NET', 'en-US Content-Type: text/xml', 'Content-Type: text/xml', 'Content-Length: 16', '', '<xml>hello</xml>']) },
    { source: 'sample.md', name: 'No headers and no body', expect: { status: 404, body: '', keepAlive: false }, wire: C(['HTTP/1.1 404 Not Found', '', '']) },
    { source: 'sample.md', name: 'No reason phrase', expect: { status: 301, body: '', keepAlive: false }, wire: C(['HTTP/1.1 301', '', '']) },
    { source: 'content-length.md', name: 'Tabs in `Content-Length` (surrounding)', expect: { status: 200, body: 'abc' },
      wire: C(['HTTP/1.1 200 OK', 'Content-Length:\t3\t', '', 'abc']) },
    { source: 'content-length.md', name: 'Response without `Content-Length`, but with body', expect: { status: 200, body: 'abc', keepAlive: false },
      wire: C(['HTTP/1.1 200 OK', 'Date: Tue, 04 Aug 2009 07:59:32 GMT', 'Server: Apache', 'X-Powered-By: Servlet/2.5 JSP/2.1', 'Content-Type: text/xml; charset=utf-8', 'Connection: close', '', 'abc']) },
    { source: 'connection.md', name: 'HTTP/1.0 with keep-alive and 204 status', expect: { status: 204, body: '', keepAlive: true },
      wire: C(['HTTP/1.0 204 No content', 'Connection: keep-alive', '', '']) },
    { source: 'connection.md', name: 'HTTP/1.1 with keep-alive disabled and 204 status', expect: { status: 204, body: '', keepAlive: false },
      wire: C(['HTTP/1.1 204 No content', 'Connection: close', '', '']) },
    { source: 'connection.md', name: 'HTTP 200 response with Upgrade header and Content-Length', expect: { status: 200, body: 'body' },
      wire: C(['HTTP/1.1 200 OK', 'Connection: upgrade', 'Upgrade: h2c', 'Content-Length: 4', '', 'body']) },
    { source: 'connection.md', name: 'HTTP 304 with Content-Length', expect: { status: 304, body: '', keepAlive: true },
      wire: C(['HTTP/1.1 304 Not Modified', 'Content-Length: 10', '', '']) },
    { source: 'connection.md', name: 'HTTP 100 first, then 400', expect: { status: 400, body: 'Bad Request' },
      wire: C(['HTTP/1.1 100 Continue', '', 'HTTP/1.1 400 Bad Request', 'Content-Length: 11', '', 'Bad Request']) },
    { source: 'connection.md', name: 'HTTP 103 first, then 200', expect: { status: 200, body: '' },
      wire: C(['HTTP/1.1 103 Early Hints', 'Link: </styles.css>; rel=preload; as=style', '', 'HTTP/1.1 200 OK', 'Date: Wed, 13 Sep 2023 11:09:41 GMT', 'Connection: close', 'Content-Length: 0', '', '']) },
  ];
  for (const c of ported) {
    test(`llhttp ${c.source}: ${c.name}`, async () => {
      const wire = Buffer.from(c.wire, 'latin1');
      const ours = berthVerdict(wire, []);
      if (c.expect === 'error') assert.equal(ours.ok, false, `accepted: ${JSON.stringify(ours)}`);
      else {
        assert.ok(ours.ok, `rejected: ${JSON.stringify(ours)}`);
        assert.equal(ours.status, c.expect.status);
        assert.equal(ours.body, c.expect.body);
        if (c.expect.keepAlive !== undefined) assert.equal(ours.keepAlive, c.expect.keepAlive);
      }
      assertSameVerdict(wire, ours, await nodeVerdict(wire));
    });
  }
});
