// Attacks on berth's own HTTP/1.1 front end (issue 9/12: "an engine attackers cannot bend"), over
// real sockets to an in-process berth whose backend is a node http.Server (llhttp defaults) that
// records every request it reads. For each byte stream berth must either refuse it (400 / 501 /
// 505 with Connection: close, nothing forwarded) or forward exactly the requests node's own server
// reads from the same bytes (the oracle, as in proxy/request-framing.differential.test.ts): never
// two requests where the client sent one, never a body boundary the backend disagrees with.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startGateway } from '../helpers/inprocess.js';
import { openRawClient, rawRequest, startRawBackend } from '../helpers/raw.js';

interface Seen {
  method: string;
  url: string;
  body: string;
  /** The body ended ('end'); false: the connection went away mid-body. */
  complete: boolean;
}

interface Recorder {
  server: http.Server;
  host: string;
  port: number;
  seen: Seen[];
}

/** recorder: a node server (llhttp defaults) that records each request it reads, complete or not. */
async function recorder(host: string, respond: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end('ok')): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', body: '', complete: false };
    seen.push(entry);
    req.setEncoding('latin1');
    req.on('data', (c: string) => (entry.body += c));
    req.on('end', () => {
      entry.complete = true;
      respond(req, res);
    });
  });
  server.on('clientError', (_e, socket: net.Socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, host, port: (server.address() as AddressInfo).port, seen };
}

function stop(r: Recorder): void {
  r.server.closeAllConnections();
  r.server.close();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** status of the first answer in `text`, or 0. */
function status(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

function config(address: string, extra: Record<string, unknown> = {}): unknown {
  return {
    _format_version: '3.0',
    services: [{ name: 's', host: 'up', retries: 0, read_timeout: 3000, write_timeout: 3000, routes: [{ name: 'r', paths: ['/'], strip_path: false }], ...extra }],
    upstreams: [{ name: 'up', targets: [{ target: address }] }],
  };
}

/** The outcome of one byte stream: through berth, and straight into node. */
interface Outcome {
  berth: string;
  closed: boolean;
  forwarded: Seen[];
  direct: Seen[];
}

describe('HTTP/1.1 front end under attack', () => {
  let behind: Recorder;
  let direct: Recorder;
  let gw: Gateway;

  before(async () => {
    behind = await recorder('127.0.0.121');
    direct = await recorder('127.0.0.122');
    gw = await startGateway(config(`${behind.host}:${behind.port}`));
  });

  after(async () => {
    await gw.stop();
    stop(behind);
    stop(direct);
  });

  /** run sends `wire` through berth and straight to node (half-closing after it) and collects both. */
  async function run(wire: string): Promise<Outcome> {
    behind.seen.length = 0;
    direct.seen.length = 0;
    const [viaBerth] = await Promise.all([
      rawRequest(gw.proxyAddress(), wire, { timeoutMs: 1500, halfClose: true }),
      rawRequest({ host: direct.host, port: direct.port }, wire, { timeoutMs: 1500, halfClose: true }),
    ]);
    await sleep(30);
    return { berth: viaBerth.text, closed: viaBerth.closed, forwarded: behind.seen.slice(), direct: direct.seen.slice() };
  }

  /**
   * safe: berth refused the stream (a 400 / 501 / 505 with Connection: close, or, once the head
   * was forwarded and the body's framing broke, a cut connection: nothing complete reaches the
   * backend either way), or the backend read exactly the complete requests node reads from the
   * same bytes (absolute-form targets reach it in origin-form, RFC 9112 s3.2.2).
   */
  function assertSafe(wire: string, o: Outcome): 'refused' | 'forwarded' {
    const what = JSON.stringify(wire);
    const complete = o.forwarded.filter((s) => s.complete);
    const code = status(o.berth);
    if ([400, 501, 505].includes(code) || (o.berth === '' && o.closed)) {
      if (code !== 0) assert.match(o.berth, /\r\nConnection: close\r\n/, `refusal without Connection: close for ${what}`);
      assert.ok(o.closed, `connection left open after a refusal for ${what}`);
      assert.deepEqual(complete, [], `refused, yet forwarded for ${what}`);
      return 'refused';
    }
    const reads = (s: Seen[]): Array<Omit<Seen, 'complete'>> =>
      s.filter((x) => x.complete).map(({ method, url, body }) => ({ method, url: url.replace(/^[a-z]+:\/\/[^/]*/i, ''), body }));
    assert.deepEqual(reads(o.forwarded), reads(o.direct), `backend read differs from node's own read of ${what}; berth answered ${JSON.stringify(o.berth.slice(0, 200))}`);
    assert.ok(complete.length > 0, `nothing forwarded and no refusal for ${what}: berth answered ${JSON.stringify(o.berth.slice(0, 200))}`);
    return 'forwarded';
  }

  const H = 'Host: x\r\n';
  const smuggling: Array<[string, string, 'refused' | 'forwarded' | 'either']> = [
    ['CL.TE', `POST / HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`, 'refused'],
    ['TE.CL', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`, 'refused'],
    ['TE: xchunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE: xchunked + CL', `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE: leading space', `POST / HTTP/1.1\r\n${H}Transfer-Encoding:  chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'forwarded'],
    ['TE: tab', `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'forwarded'],
    ['TE: chunked, identity', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE: identity, chunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'either'],
    ['TE duplicated', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'either'],
    ['TE duplicated, second bogus', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE uppercase', `POST / HTTP/1.1\r\n${H}TRANSFER-ENCODING: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'forwarded'],
    ['TE line-folded', `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE space before colon', `POST / HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE with vertical tab', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: \x0bchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE chunked then NUL', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\x00\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['TE_underscore with CL', `POST / HTTP/1.1\r\n${H}Transfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello`, 'forwarded'],
    ['CL +6', `POST / HTTP/1.1\r\n${H}Content-Length: +6\r\n\r\nhello!`, 'refused'],
    ['CL leading zeros', `POST / HTTP/1.1\r\n${H}Content-Length: 0005\r\n\r\nhello`, 'forwarded'],
    ['CL spaces around', `POST / HTTP/1.1\r\n${H}Content-Length:  5  \r\n\r\nhello`, 'forwarded'],
    ['CL inner space', `POST / HTTP/1.1\r\n${H}Content-Length: 1 0\r\n\r\nhello world`, 'refused'],
    ['CL comma list same', `POST / HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, 'refused'],
    ['CL comma list differing', `POST / HTTP/1.1\r\n${H}Content-Length: 5, 11\r\n\r\nhello world`, 'refused'],
    ['CL duplicated same', `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, 'refused'],
    ['CL duplicated differing', `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 11\r\n\r\nhello world`, 'refused'],
    ['CL negative', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\nhello`, 'refused'],
    ['CL hex', `POST / HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello`, 'refused'],
    ['CL overflow', `POST / HTTP/1.1\r\n${H}Content-Length: 18446744073709551621\r\n\r\nhello`, 'refused'],
    ['CL empty', `POST / HTTP/1.1\r\n${H}Content-Length: \r\n\r\nhello`, 'refused'],
    ['chunk size 0x', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk size negative', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk size overflow', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nffffffffffffffff0000000000000005\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk size with space', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk ext quoted', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a="b;c"\r\nhello\r\n0\r\n\r\n`, 'forwarded'],
    ['chunk ext quoted CRLF', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a="b\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk ext bare LF', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a=b\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk size bare LF', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`, 'refused'],
    ['chunk data without CRLF', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n`, 'refused'],
    ['chunk data too long', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`, 'refused'],
    ['last chunk bare LF', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\n\n`, 'refused'],
    ['trailer smuggles a request', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: y\nGET /smuggled HTTP/1.1\r\n\r\n`, 'refused'],
    ['head bare LF', `GET / HTTP/1.1\n${H}\n`, 'refused'],
    ['head bare LF in a header', `GET / HTTP/1.1\r\nHost: x\nContent-Length: 5\r\n\r\nhello`, 'refused'],
    ['head bare CR', `GET / HTTP/1.1\r${H}\r\n`, 'refused'],
    ['header value bare CR', `POST / HTTP/1.1\r\n${H}X: a\rContent-Length: 5\r\n\r\nhello`, 'refused'],
    ['NUL in header value', `GET / HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`, 'refused'],
    ['NUL in target', `GET /a\x00b HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['NUL before request', `\x00GET / HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['request line: two spaces', `GET  / HTTP/1.1\r\n${H}\r\n`, 'either'],
    ['request line: tab', `GET\t/ HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['request line: trailing space', `GET / HTTP/1.1 \r\n${H}\r\n`, 'refused'],
    ['request line: space in target', `GET /a b HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['request line: lower-case method', `get / HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['request line: lower-case version', `GET / http/1.1\r\n${H}\r\n`, 'refused'],
    ['absolute-form', `GET http://x/abs HTTP/1.1\r\n${H}\r\n`, 'either'],
    ['absolute-form, other Host', `GET http://evil/abs HTTP/1.1\r\nHost: x\r\n\r\n`, 'either'],
    ['authority-form on GET', `GET x:80 HTTP/1.1\r\n${H}\r\n`, 'refused'],
    ['Host duplicated', `GET /dup HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`, 'either'],
    ['Host missing on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 'refused'],
    ['Host missing on HTTP/1.0', 'GET /ten HTTP/1.0\r\n\r\n', 'forwarded'],
    ['HTTP/0.9 request line', 'GET /\r\n\r\n', 'refused'],
    ['HTTP/0.9 version', `GET / HTTP/0.9\r\n${H}\r\n`, 'refused'],
    ['HTTP/1.2', `GET / HTTP/1.2\r\n${H}\r\n`, 'refused'],
    ['HTTP/2.0', `GET / HTTP/2.0\r\n${H}\r\n`, 'refused'],
    ['HTTP/1.10', `GET / HTTP/1.10\r\n${H}\r\n`, 'refused'],
    ['request hidden in a CL body', `POST /outer HTTP/1.1\r\n${H}Content-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n`, 'forwarded'],
    ['request hidden in a chunked body', `POST /outer HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n23\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n`, 'forwarded'],
    ['GET with a CL body', `GET /g HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, 'forwarded'],
    ['GET with a chunked body', `GET /g HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 'forwarded'],
    ['CL shorter than body, then a request', `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nhiGET /second HTTP/1.1\r\n${H}\r\n`, 'forwarded'],
  ];

  for (const [name, wire, expected] of smuggling) {
    test(`smuggling: ${name}`, async () => {
      const o = await run(wire);
      const got = assertSafe(wire, o);
      if (expected !== 'either') assert.equal(got, expected, `${name}: berth answered ${JSON.stringify(o.berth.slice(0, 120))}`);
    });
  }

  test('fuzz: random bytes and mutated requests never crash berth, never forward more requests than node reads (fixed seed)', async () => {
    const templates = [
      `GET /f HTTP/1.1\r\n${H}\r\n`,
      `POST /f HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`,
      `POST /f HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a="b"\r\nhello\r\n0\r\nT: v\r\n\r\n`,
      `GET /f HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      `GET /f HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /g HTTP/1.1\r\n${H}Expect: 100-continue\r\n\r\n`,
    ];
    const special = fc.constantFrom('\r', '\n', '\0', ' ', '\t', ':', ';', ',', '0', 'f', '"', '\x7f', '\xff', 'chunked', 'Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n', '\r\n\r\n');
    const mutation = fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom('insert', 'delete', 'duplicate', 'replace'), special);
    const mutated = fc.tuple(fc.constantFrom(...templates), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([t, ms]) => {
      let w = t;
      for (const [at, len, kind, piece] of ms) {
        const i = at % (w.length + 1);
        if (kind === 'insert') w = w.slice(0, i) + piece + w.slice(i);
        else if (kind === 'delete') w = w.slice(0, i) + w.slice(i + len);
        else if (kind === 'duplicate') w = w.slice(0, i + len) + w.slice(i, i + len) + w.slice(i + len);
        else w = w.slice(0, i) + piece + w.slice(i + piece.length);
      }
      return w;
    });
    const randomBytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: randomBytes, weight: 1 }), async (wire) => {
          const o = await run(wire);
          assert.deepEqual(uncaught, [], `uncaught exception after ${JSON.stringify(wire)}`);
          assert.ok(o.berth === '' || o.berth.startsWith('HTTP/1.1 ') || o.berth.startsWith('\0\0'), `garbage answer to ${JSON.stringify(wire)}: ${JSON.stringify(o.berth.slice(0, 80))}`);
          const forwarded = o.forwarded.filter((s) => s.complete).length;
          const read = o.direct.filter((s) => s.complete).length;
          assert.ok(forwarded <= read, `${forwarded} requests forwarded where node reads ${read} from ${JSON.stringify(wire)}`);
        }),
        { seed: 0xbe47, numRuns: Number(process.env.FUZZ_RUNS ?? 250) },
      );
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    const ok = await rawRequest(gw.proxyAddress(), `GET /alive HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal(status(ok.text), 200);
  });
});

/** pipelined: `n` requests for /p0 .. /p{n-1}, in one string. */
function pipelined(n: number, prefix = '/p'): string {
  let wire = '';
  for (let i = 0; i < n; i++) wire += `GET ${prefix}${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
  return wire;
}

/** connect opens a raw client connection and resolves once it is up. */
function connect(addr: { host: string; port: number }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(addr.port, addr.host, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** until polls `check` every 20 ms for at most `ms`; returns whether it came true. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

describe('HTTP/1.1 front end under resource attacks', () => {
  let behind: Recorder;
  let gw: Gateway;

  before(async () => {
    behind = await recorder('127.0.0.123', (req, res) => res.end('echo ' + req.url));
    gw = await startGateway({
      _format_version: '3.0',
      services: [
        { name: 's', host: 'up', retries: 0, read_timeout: 3000, write_timeout: 2000, routes: [{ name: 'r', paths: ['/'], strip_path: false }] },
      ],
      upstreams: [
        { name: 'up', targets: [{ target: `${behind.host}:${behind.port}` }] },
      ],
    });
  });

  after(async () => {
    await gw.stop();
    stop(behind);
  });

  test('slowloris: a head trickled in is answered 408 and closed once the 60 s head limit passes', async () => {
    // The limit is not configurable (http1/connection.ts HEADERS_TIMEOUT_MS): the server's sweep
    // reads Date.now() once a second, so the clock is moved 61 s on instead of waiting for it.
    const client = await openRawClient(gw.proxyAddress());
    const socket = client.socket;
    const realNow = Date.now;
    try {
      for (const byte of 'GET / HTTP/1.1\r\nHo') {
        socket.write(byte);
        await sleep(30);
      }
      assert.equal(client.text, '', 'answered before the head limit');
      await sleep(1100); // a sweep with the real clock: the connection is still young
      assert.equal(client.closed, false, 'closed before the head limit');
      const skew = 61_000;
      Date.now = () => realNow.call(Date) + skew;
      assert.ok(await until(() => client.closed, 3000), 'a head that never completes is not cut');
    } finally {
      Date.now = realNow;
      socket.destroy();
    }
    assert.equal(status(client.text), 408);
    assert.match(client.text, /\r\nConnection: close\r\n/);
    assert.equal(behind.seen.filter((s) => s.url === '/').length, 0);
  });

  test('an idle keep-alive connection is closed once the 75 s keep-alive limit passes (clock moved, not waited for)', async () => {
    const client = await openRawClient(gw.proxyAddress());
    const socket = client.socket;
    const realNow = Date.now;
    try {
      await sleep(1100); // a sweep with the real clock: the server's coarse clock holds no moved time
      socket.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.ok(await until(() => client.text.endsWith('echo /idle'), 3000), 'no answer');
      await sleep(1100);
      assert.equal(client.closed, false, 'closed before the keep-alive limit');
      Date.now = () => realNow.call(Date) + 76_000;
      assert.ok(await until(() => client.closed, 3000), 'an idle keep-alive connection is never closed');
    } finally {
      Date.now = realNow;
      socket.destroy();
    }
  });

  test('a body that breaks (bad chunk, reset mid-body) poisons no pooled upstream connection', async () => {
    behind.seen.length = 0;
    await rawRequest(gw.proxyAddress(), 'GET /warm HTTP/1.1\r\nHost: x\r\n\r\n', { until: /echo \/warm$/ });
    const broken = await rawRequest(gw.proxyAddress(), 'POST /broken HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 1500 });
    assert.ok(broken.closed, 'a broken chunked body leaves the client connection open');
    const next = await rawRequest(gw.proxyAddress(), 'GET /next HTTP/1.1\r\nHost: x\r\n\r\n', { until: /echo \/next$/, timeoutMs: 3000 });
    assert.match(next.text, /^HTTP\/1\.1 200 OK\r\n/);
    await rawRequest(gw.proxyAddress(), 'POST /reset HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789', { timeoutMs: 300, reset: true });
    const after = await rawRequest(gw.proxyAddress(), 'GET /after-reset HTTP/1.1\r\nHost: x\r\n\r\n', { until: /echo \/after-reset$/, timeoutMs: 3000 });
    assert.match(after.text, /^HTTP\/1\.1 200 OK\r\n/);
    await sleep(50);
    const complete = behind.seen.filter((x) => x.complete).map((x) => [x.method, x.url, x.body]);
    assert.deepEqual(complete, [['GET', '/warm', ''], ['GET', '/next', ''], ['GET', '/after-reset', '']]);
    assert.deepEqual(behind.seen.filter((x) => !x.complete).map((x) => x.url), ['/broken', '/reset']);
  });

  test('431 for a head of 10,000 small headers and for one 20 KiB header; berth serves on', async () => {
    let many = 'GET /many HTTP/1.1\r\nHost: x\r\n';
    for (let i = 0; i < 10_000; i++) many += `a${i}: b\r\n`;
    const r1 = await rawRequest(gw.proxyAddress(), many + '\r\n', { timeoutMs: 3000 });
    assert.equal(status(r1.text), 431);
    assert.match(r1.text, /\r\nConnection: close\r\n/);
    assert.ok(r1.closed);
    const r2 = await rawRequest(gw.proxyAddress(), `GET /huge HTTP/1.1\r\nHost: x\r\nX-Big: ${'v'.repeat(20 * 1024)}\r\n\r\n`, { timeoutMs: 3000 });
    assert.equal(status(r2.text), 431);
    assert.ok(r2.closed);
    assert.deepEqual(behind.seen.filter((s) => s.url === '/many' || s.url === '/huge'), []);
    const ok = await rawRequest(gw.proxyAddress(), 'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(ok.text, /echo \/after$/);
  });

  test('a request line of 1 MiB is refused (431) early and the connection closed', async () => {
    const started = Date.now();
    const reply = await rawRequest(gw.proxyAddress(), `GET /${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, { timeoutMs: 5000 });
    assert.equal(status(reply.text), 431);
    assert.match(reply.text, /\r\nConnection: close\r\n/);
    assert.ok(reply.closed);
    assert.ok(Date.now() - started < 4000);
  });

  test('a chunked body of 1-byte chunks costs linear time (1 MiB vs 256 KiB) and arrives whole', async () => {
    const time = async (n: number): Promise<number> => {
      behind.seen.length = 0;
      let wire = `POST /chunks${n} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
      wire += '1\r\na\r\n'.repeat(n) + '0\r\n\r\n';
      const started = process.hrtime.bigint();
      const reply = await rawRequest(gw.proxyAddress(), wire, { timeoutMs: 60_000 });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.match(reply.text, new RegExp(`echo /chunks${n}$`));
      assert.equal(behind.seen.length, 1);
      assert.equal(behind.seen[0]!.body.length, n);
      return ms;
    };
    const small = await time(256 * 1024);
    const large = await time(1024 * 1024);
    // Linear: ~4x; quadratic would be ~16x. The bound leaves room for a shared, noisy machine.
    console.log(`1-byte chunks: 256 KiB in ${small.toFixed(0)} ms, 1 MiB in ${large.toFixed(0)} ms`);
    assert.ok(large < small * 9, `1 MiB took ${large.toFixed(0)} ms, 256 KiB ${small.toFixed(0)} ms`);
  });

  test('10,000 pipelined requests in one write are all answered, in order', async () => {
    const n = 10_000;
    const wire = pipelined(n) + 'GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await rawRequest(gw.proxyAddress(), wire, { timeoutMs: 90_000 });
    assert.ok(reply.closed, 'the connection did not close after the last answer');
    const paths = [...reply.text.matchAll(/echo (\/p\d+|\/last)/g)].map((m) => m[1]);
    assert.equal(paths.length, n + 1);
    for (let i = 0; i < n; i++) if (paths[i] !== `/p${i}`) assert.fail(`answer ${i} is for ${paths[i]}`);
    assert.equal(paths[n], '/last');
  });

  test('Expect: 100-continue with the body sent at once and a pipelined request: one 100, answers in order', async () => {
    behind.seen.length = 0;
    const wire = 'POST /e1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello' + 'GET /e2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await rawRequest(gw.proxyAddress(), wire);
    assert.match(reply.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*echo \/e1HTTP\/1\.1 200 OK\r\n[^]*echo \/e2$/);
    assert.deepEqual(behind.seen.map((s) => [s.url, s.body]), [['/e1', 'hello'], ['/e2', '']]);
  });

  test('an unmet Expect gets 417 and its body is not read as a request', async () => {
    behind.seen.length = 0;
    const hidden = 'GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n';
    const wire = `POST /e HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const reply = await rawRequest(gw.proxyAddress(), wire);
    assert.equal(status(reply.text), 417);
    assert.deepEqual(behind.seen.map((s) => s.url), ['/after']);
  });

  test('--max-connections: a flood beyond the cap is closed at once, the open connections serve on', async () => {
    const capped = await startGateway(config(`${behind.host}:${behind.port}`), { maxConnections: 4 });
    const sockets: net.Socket[] = [];
    try {
      const closed: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        const socket = await connect(capped.proxyAddress());
        const index = closed.push(false) - 1;
        socket.on('close', () => (closed[index] = true));
        socket.on('error', () => {});
        sockets.push(socket);
      }
      assert.ok(await until(() => closed.filter(Boolean).length >= 36, 3000), `${closed.filter(Boolean).length} of 36 extra connections closed`);
      await sleep(100);
      assert.equal(closed.filter(Boolean).length, 36);
      const open = sockets.filter((_s, i) => !closed[i]);
      const answers = await Promise.all(
        open.map(
          (socket) =>
            new Promise<string>((resolve) => {
              let text = '';
              socket.on('data', (d: Buffer) => {
                text += d.toString('latin1');
                if (text.endsWith('echo /capped')) resolve(text);
              });
              socket.write('GET /capped HTTP/1.1\r\nHost: x\r\n\r\n');
              setTimeout(() => resolve(text), 3000);
            }),
        ),
      );
      for (const text of answers) assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*echo \/capped$/);
    } finally {
      for (const s of sockets) s.destroy();
      await capped.stop();
    }
  });
});

describe('HTTP/1.1 front end: upgrade abuse', () => {
  let plain: Recorder;
  let gw: Gateway;

  before(async () => {
    // A backend that does not upgrade: node's server hands an Upgrade request without an
    // 'upgrade' listener to 'request' and goes on parsing HTTP after it.
    plain = await recorder('127.0.0.125');
    gw = await startGateway(config(`${plain.host}:${plain.port}`));
  });

  after(async () => {
    await gw.stop();
    stop(plain);
  });

  test('bytes after an upgrade head reach no backend as a request when the backend does not upgrade', async () => {
    plain.seen.length = 0;
    const wire = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const reply = await rawRequest(gw.proxyAddress(), wire, { timeoutMs: 2000 });
    await sleep(50);
    assert.deepEqual(plain.seen.map((s) => s.url), ['/ws'], `berth answered ${JSON.stringify(reply.text.slice(0, 200))}`);
    assert.ok(reply.closed, 'a refused upgrade leaves the connection open');
  });

  test('an upgrade request with a Content-Length body smuggles no request', async () => {
    plain.seen.length = 0;
    const hidden = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const wire = `POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`;
    const reply = await rawRequest(gw.proxyAddress(), wire, { timeoutMs: 2000 });
    await sleep(50);
    assert.ok(!plain.seen.some((s) => s.url === '/smuggled'), `backend read ${JSON.stringify(plain.seen)}; berth answered ${JSON.stringify(reply.text.slice(0, 200))}`);
  });
});

describe('HTTP/1.1 front end: h2c smuggling', () => {
  test('Upgrade: h2c is not passed on, and a backend that switches anyway gets no tunnel (502)', async () => {
    // A backend that answers 101 to whatever it is sent, as an h2c-upgrading server would to
    // Upgrade: h2c; through such a tunnel a client reaches paths berth never routes (/admin).
    const h2c = await startRawBackend('127.0.0.126', (socket, soFar) => {
      const s = socket as net.Socket & { switched?: string };
      if (s.switched !== undefined || !soFar.includes('\r\n\r\n')) return;
      s.switched = /\r\nUpgrade: ([^\r]*)/i.exec(soFar)?.[1] ?? 'h2c';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${s.switched}\r\n\r\n`);
    });
    const gw = await startGateway({
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', retries: 0, read_timeout: 2000, routes: [{ name: 'r', paths: ['/public'], strip_path: false }] }],
      upstreams: [{ name: 'up', targets: [{ target: h2c.address }] }],
    });
    try {
      const head = 'GET /public HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n';
      const reply = await rawRequest(gw.proxyAddress(), [head, 'GET /admin/secret HTTP/1.1\r\nHost: x\r\n\r\n'], { timeoutMs: 2000, gapMs: 200 });
      assert.equal(status(reply.text), 502, `berth answered ${JSON.stringify(reply.text.slice(0, 120))}`);
      assert.ok(reply.closed);
      assert.equal(h2c.received.length, 1);
      assert.doesNotMatch(h2c.received[0]!, /\r\nUpgrade:/i);
      assert.doesNotMatch(h2c.received[0]!, /admin/);

      // Offered next to another protocol, h2c is dropped from the list and the other one tunnels.
      const ws = await rawRequest(gw.proxyAddress(), 'GET /public HTTP/1.1\r\nHost: x\r\nUpgrade: h2c, websocket\r\nConnection: Upgrade\r\n\r\n', { timeoutMs: 1000, until: /\r\n\r\n/ });
      assert.match(ws.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(h2c.received[1]!, /\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n/);
    } finally {
      await gw.stop();
      await h2c.close();
    }
  });
});
