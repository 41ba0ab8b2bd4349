// The lean HTTP/1.1 request parser against node's own (llhttp behind http.Server, the front end
// berth used before): the same random and adversarial request streams go to the parser, cut at
// random points, and over a socket to a node server; both must accept the same requests (method,
// url, version, raw and folded headers, body bytes) and refuse at the same one. Where berth refuses
// on purpose what node serves (HTTP/0.9 and 2.0 request lines: 505), the oracle says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { parseStream, type ParsedMessage, type ParseOutcome } from '../../../test/helpers/request-parse.js';

interface NodeSeen {
  messages: ParsedMessage[];
  /** 'error' (clientError), 'upgrade' (upgrade or connect event), or null. */
  end: 'error' | 'upgrade' | null;
  keepAlive: boolean[];
  /** The request's body ended ('end'): a framing error in it refuses the request instead. */
  complete: boolean[];
}

/** The oracle: node's server records what it parsed per connection (keyed by the client's port). */
async function oracle(): Promise<{ server: http.Server; port: number; seen: Map<number, NodeSeen> }> {
  const seen = new Map<number, NodeSeen>();
  const of = (socket: net.Socket): NodeSeen => {
    const key = socket.remotePort ?? 0;
    let s = seen.get(key);
    if (s === undefined) seen.set(key, (s = { messages: [], end: null, keepAlive: [], complete: [] }));
    return s;
  };
  // Host is the server's rule (http1/server.ts), not the parser's: compare the parsers without it.
  // So are Expect answers (417 / 100 Continue): node's checkExpectation and checkContinue events
  // hand those requests over as well.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const entry: ParsedMessage = { method: req.method!, url: req.url!, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, headers: { ...req.headers }, body: '' };
    const s = of(req.socket);
    s.messages.push(entry);
    const index = s.keepAlive.push(res.shouldKeepAlive) - 1;
    s.complete.push(false);
    req.setEncoding('latin1');
    req.on('data', (c: string) => (entry.body += c));
    req.on('end', () => {
      s.complete[index] = true;
      res.end();
    });
  });
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  server.on('checkExpectation', (req, res) => server.emit('request', req, res));
  const upgrade = (req: http.IncomingMessage, socket: net.Socket): void => {
    const s = of(socket);
    s.messages.push({ method: req.method!, url: req.url!, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, headers: { ...req.headers }, body: '' });
    s.keepAlive.push(false);
    s.complete.push(true);
    s.end = 'upgrade';
    socket.destroy();
  };
  server.on('upgrade', upgrade);
  server.on('connect', upgrade);
  server.on('clientError', (_err, socket: net.Socket) => {
    const s = of(socket);
    s.end ??= 'error';
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** send writes `wire`, half-closes and waits for node to close (bounded). */
function send(port: number, wire: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let local = 0;
    const timer = setTimeout(() => socket.destroy(), 1500);
    socket.on('connect', () => {
      local = socket.localPort!;
      socket.end(wire);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(local);
    });
  });
}

/**
 * expected turns what node did into the verdict berth's parser must give: node's accepted
 * requests up to the first that ends the stream, with node's deliberate-difference cases refused.
 */
function expected(s: NodeSeen | undefined): ParseOutcome {
  const out: ParseOutcome = { messages: [], end: 'clean' };
  if (s === undefined) return { messages: [], end: 'error' };
  for (let i = 0; i < s.messages.length; i++) {
    const m = s.messages[i]!;
    if (m.httpVersion !== '1.0' && m.httpVersion !== '1.1') return { messages: out.messages, end: 'error' };
    if (!s.complete[i]) return { messages: out.messages, end: 'error' };
    out.messages.push(m);
    if (s.end === 'upgrade' && i === s.messages.length - 1) return { ...out, end: 'upgrade' };
    if (!s.keepAlive[i]) return { ...out, end: 'close' };
  }
  return { ...out, end: s.end === 'error' ? 'error' : 'clean' };
}

/** comparable: berth's outcome in the oracle's terms (incomplete at EOF is node's clientError). */
function comparable(r: ParseOutcome): ParseOutcome {
  return { messages: r.messages, end: r.end === 'incomplete' ? 'error' : r.end };
}

// ---- generators: mostly well-formed requests, with adversarial pieces mixed in ----
const weird = <T>(normal: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: normal, weight: 5 }, { arbitrary: odd, weight: 1 });
const oddByte = fc.constantFrom('\0', '\x01', '\t', '\x0b', '\x7f', '\x80', '\xff', '\r', '\n', ' ', '"', '#', '?', '@', ':', ',', ';', '\\', 'é');
const method = weird(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'), fc.constantFrom('get', 'FOO', 'CONNECT', 'PRI', 'M-SEARCH', 'QUERY', 'GETX', '', 'GEX', 'HEAX', 'POSt', 'PUST'));
const target = weird(
  fc.stringMatching(/^\/[a-z0-9._~%-]{0,8}(\?[a-z0-9=&]{0,6})?$/),
  fc.oneof(
    fc.constantFrom('*', 'http://a.b:80/x?y#z', 'http://u@h/p', 'http://a@@b/', 'https://h', 'h:443', '/a#b?c', '//x', '/p q', 'x', '/a\tb', '/\x80', '/"<>{}|^`'),
    fc.tuple(fc.stringMatching(/^\/[a-z]{0,4}$/), oddByte).map(([p, b]) => p + b),
  ),
);
const version = weird(fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), fc.constantFrom('HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/3', 'http/1.1', 'HTTP/1.1 ', 'HTTP/11', ''));
const eol = weird(fc.constant('\r\n'), fc.constantFrom('\n', '\r', '\r\r\n', '\n\r'));
const name = weird(
  fc.constantFrom('Host', 'Accept', 'X-A', 'x-a', 'Cookie', 'Set-Cookie', 'User-Agent', 'Content-Type', 'Connection', 'Upgrade', 'Expect', 'Authorization', 'Via'),
  fc.oneof(fc.constantFrom('', 'X A', 'X-A ', ' X-A', 'Ä', 'X"A', '__proto__', 'Content-Length', 'Transfer-Encoding'), fc.tuple(fc.constant('X'), oddByte).map(([a, b]) => a + b)),
);
const value = weird(
  fc.stringMatching(/^[ -~]{0,12}$/),
  fc.oneof(fc.constantFrom('', ' ', '\t', 'a ', ' a\t', 'close', 'keep-alive', 'upgrade', 'Upgrade, keep-alive', 'websocket', '100-continue'), fc.tuple(fc.stringMatching(/^[a-z]{0,3}$/), oddByte).map(([a, b]) => a + b)),
);
const separator = weird(fc.constant(': '), fc.constantFrom(':', ':  ', ':\t', ' :', ': \t '));
const header = fc.tuple(name, separator, value, eol).map(([n, s, v, e]) => n + s + v + e);
const framing = weird(
  fc.constantFrom('none', 'length', 'chunked'),
  fc.constantFrom('length+te', 'te+length', 'dup-length', 'dup-length-same', 'length-plus', 'length-empty', 'length-spaces', 'length-comma', 'te-identity', 'te-gzip-chunked', 'te-chunked-gzip', 'te-twice', 'te-upper', 'te-empty', 'length-huge'),
);
const chunkedBody = (body: string): fc.Arbitrary<string> =>
  fc.tuple(fc.nat(Math.max(0, body.length)), weird(fc.constant(''), fc.constantFrom(';a=b', ';x', ' ', ';"q"', ';a="b"')), weird(fc.constant(''), fc.constantFrom('T: 1\r\n', 'bad\r\n')), fc.boolean())
    .map(([cut, ext, trailer, upper]) => {
      const parts = [body.slice(0, cut), body.slice(cut)].filter((p) => p !== '');
      const size = (n: number): string => (upper ? n.toString(16).toUpperCase() : n.toString(16));
      return parts.map((p) => size(p.length) + ext + '\r\n' + p + '\r\n').join('') + '0\r\n' + trailer + '\r\n';
    });

function framingLines(kind: string, len: number): string {
  const table: Record<string, string> = {
    none: '', length: `Content-Length: ${len}\r\n`, chunked: 'Transfer-Encoding: chunked\r\n',
    'length+te': `Content-Length: ${len}\r\nTransfer-Encoding: chunked\r\n`, 'te+length': `Transfer-Encoding: chunked\r\nContent-Length: ${len}\r\n`,
    'dup-length': `Content-Length: ${len}\r\nContent-Length: ${len + 1}\r\n`, 'dup-length-same': `Content-Length: ${len}\r\nContent-Length: ${len}\r\n`,
    'length-plus': `Content-Length: +${len}\r\n`, 'length-empty': 'Content-Length:\r\n', 'length-spaces': `Content-Length:  ${len} \r\n`,
    'length-comma': `Content-Length: ${len}, ${len}\r\n`, 'te-identity': 'Transfer-Encoding: identity\r\n', 'te-gzip-chunked': 'Transfer-Encoding: gzip, chunked\r\n',
    'te-chunked-gzip': 'Transfer-Encoding: chunked, gzip\r\n', 'te-twice': 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n',
    'te-upper': 'Transfer-Encoding: CHUNKED\r\n', 'te-empty': 'Transfer-Encoding:\r\n', 'length-huge': 'Content-Length: 99999999999999999999\r\n',
  };
  return table[kind]!;
}

const oneRequest = fc
  .record({
    leading: weird(fc.constant(''), fc.constantFrom('\r\n', '\n', '\r\n\r\n')),
    method, spaces: weird(fc.constant(' '), fc.constantFrom('  ', '\t', '')), target, version, lineEnd: eol,
    host: fc.boolean(), headers: fc.array(header, { maxLength: 4 }), framing,
    body: fc.stringMatching(/^[a-z0-9 ]{0,12}$/), end: eol,
  })
  .chain((r) => chunkedBody(r.body).map((chunked) => ({ ...r, chunked })));

type Rendered = { leading: string; method: string; spaces: string; target: string; version: string; lineEnd: string; host: boolean; headers: string[]; framing: string; body: string; end: string; chunked: string };

function render(r: Rendered): string {
  let head = r.leading + r.method + r.spaces + r.target + (r.version === '' ? '' : ' ' + r.version) + r.lineEnd;
  if (r.host) head += 'Host: x\r\n';
  head += r.headers.join('') + framingLines(r.framing, r.body.length) + r.end;
  const chunked = r.framing.startsWith('te') || r.framing === 'chunked' || r.framing.includes('+');
  return head + (chunked ? r.chunked : r.framing === 'none' ? '' : r.body);
}

/** mutate: one byte of a rendered stream replaced, inserted or deleted (the cheapest fuzz there is). */
const mutated = fc.tuple(fc.array(oneRequest, { minLength: 1, maxLength: 2 }), fc.nat(), fc.constantFrom('replace', 'insert', 'delete', 'none', 'none'), oddByte).map(
  ([reqs, at, how, byte]) => {
    const wire = reqs.map(render).join('');
    const i = wire.length === 0 ? 0 : at % wire.length;
    if (how === 'replace') return wire.slice(0, i) + byte + wire.slice(i + 1);
    if (how === 'insert') return wire.slice(0, i) + byte + wire.slice(i);
    if (how === 'delete') return wire.slice(0, i) + wire.slice(i + 1);
    return wire;
  },
);

describe('request parser vs node (llhttp): same requests, same refusals', () => {
  let o: Awaited<ReturnType<typeof oracle>>;
  before(async () => (o = await oracle()));
  after(() => {
    o.server.closeAllConnections();
    o.server.close();
  });

  async function same(wire: string, cuts: number[]): Promise<void> {
    const bytes = Buffer.from(wire, 'latin1');
    const port = await send(o.port, bytes);
    const want = expected(o.seen.get(port));
    const got = comparable(parseStream(bytes, cuts));
    assert.deepEqual(got, want, `verdicts differ for ${JSON.stringify(wire)} cut at ${JSON.stringify(cuts)}`);
  }

  test('random and adversarial request streams, cut anywhere (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, fc.array(fc.nat(400), { maxLength: 4 }), (wire, cuts) => same(wire, cuts)),
      { seed: Number(process.env.DIFF_SEED ?? 0x12ea2), numRuns: Number(process.env.DIFF_RUNS ?? 600) },
    );
  });

  test('header size at node limit (16 KiB counted as node counts it): 431 on both sides at the same byte', async () => {
    for (const extra of [-2, -1, 0, 1]) {
      // node counts the url, names and values: "/" + "Host" + "x" + "X-Big" + value
      const size = 16384 - 1 - 4 - 1 - 5 + extra;
      await same(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`, []);
      await same(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`, [100, 8000]);
    }
  });
});
