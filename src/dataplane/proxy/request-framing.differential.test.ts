// The request side of issue 9's differential test. berth does not parse requests itself (node's
// llhttp does), but it re-frames them upstream: Content-Length from the parsed request, chunked
// bodies re-chunked, hop-by-hop headers dropped. The same random and adversarial byte streams go
// to a node HTTP server directly and through berth to an identical server; both servers must see
// the same requests (method, path, body bytes), no more and no fewer (no smuggling either way).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Gateway } from '../gateway.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { rawRequest } from '../../../test/helpers/raw.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** recorder: a node server that records each complete request it gets, keyed by the X-Case header. */
async function recorder(host: string): Promise<{ server: http.Server; address: string; seen: Map<string, Seen[]> }> {
  const seen = new Map<string, Seen[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const key = String(req.headers['x-case'] ?? '');
      seen.set(key, [...(seen.get(key) ?? []), { method: req.method ?? '', url: req.url ?? '', body }]);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, address: `${host}:${(server.address() as AddressInfo).port}`, seen };
}

const weird = <T>(normal: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: normal, weight: 6 }, { arbitrary: odd, weight: 1 });
const bodyText = fc.string({ maxLength: 20 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
const chunkedBody = (body: string): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.nat(body.length), { maxLength: 3 }), weird(fc.constant(''), fc.constantFrom(';a=b', ';x', ';a="q"', ' ', ';\x01')), fc.boolean())
    .map(([cuts, ext, upper]) => {
      const points = [...new Set([0, ...cuts, body.length])].sort((a, b) => a - b);
      let out = '';
      for (let i = 1; i < points.length; i++) {
        const part = body.slice(points[i - 1], points[i]);
        if (part === '') continue;
        const size = part.length.toString(16);
        out += (upper ? size.toUpperCase() : size) + ext + '\r\n' + part + '\r\n';
      }
      return out + '0\r\n\r\n';
    });
const oneRequest = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    path: fc.stringMatching(/^\/[a-z0-9]{0,6}$/),
    body: bodyText,
    framing: weird(
      fc.constantFrom('length', 'chunked', 'none'),
      fc.constantFrom('length+te', 'te+length', 'double-length', 'length-short', 'te-gzip-chunked', 'te-chunked-gzip', 'length-spaces', 'te-obs'),
    ),
    extra: fc.array(fc.constantFrom('X-A: 1', 'Connection: X-A', 'Connection: Content-Length', 'TE: trailers', 'Expect: 100-continue', 'Transfer-Encoding: identity'), { maxLength: 2 }),
  })
  .chain((r) => chunkedBody(r.body).map((chunked) => ({ ...r, chunked })));

function render(r: { method: string; path: string; body: string; framing: string; extra: string[]; chunked: string }, key: string, last: boolean): string {
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nX-Case: ${key}\r\n`;
  for (const h of r.extra) head += h + '\r\n';
  if (last) head += 'Connection: close\r\n';
  const len = Buffer.byteLength(r.body, 'latin1');
  switch (r.framing) {
    case 'length': return head + `Content-Length: ${len}\r\n\r\n` + r.body;
    case 'chunked': return head + 'Transfer-Encoding: chunked\r\n\r\n' + r.chunked;
    case 'length+te': return head + `Content-Length: ${len}\r\nTransfer-Encoding: chunked\r\n\r\n` + r.chunked;
    case 'te+length': return head + `Transfer-Encoding: chunked\r\nContent-Length: ${len}\r\n\r\n` + r.chunked;
    case 'double-length': return head + `Content-Length: ${len}\r\nContent-Length: ${len + 1}\r\n\r\n` + r.body;
    case 'length-short': return head + `Content-Length: ${Math.max(0, len - 1)}\r\n\r\n` + r.body;
    case 'te-gzip-chunked': return head + 'Transfer-Encoding: gzip, chunked\r\n\r\n' + r.chunked;
    case 'te-chunked-gzip': return head + 'Transfer-Encoding: chunked, gzip\r\n\r\n' + r.body;
    case 'length-spaces': return head + `Content-Length:  ${len} \r\n\r\n` + r.body;
    case 'te-obs': return head + 'Transfer-Encoding:\r\n chunked\r\n\r\n' + r.chunked;
    default: return head + '\r\n';
  }
}

describe('request framing: what a backend sees through berth = what it sees directly', () => {
  let direct: Awaited<ReturnType<typeof recorder>>;
  let behind: Awaited<ReturnType<typeof recorder>>;
  let gw: Gateway;
  let n = 0;

  before(async () => {
    direct = await recorder('127.0.0.101');
    behind = await recorder('127.0.0.102');
    gw = await startGateway({
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', retries: 0, read_timeout: 2000, routes: [{ name: 'r', paths: ['/'], strip_path: false }] }],
      upstreams: [{ name: 'up', targets: [{ target: behind.address }] }],
    });
  });

  after(async () => {
    await gw.stop();
    for (const s of [direct.server, behind.server]) {
      s.closeAllConnections();
      s.close();
    }
  });

  test('pipelined random and adversarial requests (fixed seed)', async () => {
    const [host, port] = direct.address.split(':');
    await fc.assert(
      fc.asyncProperty(fc.array(oneRequest, { minLength: 1, maxLength: 2 }), async (requests) => {
        const key = String(n++);
        const wire = requests.map((r, i) => render(r, key, i === requests.length - 1)).join('');
        await Promise.all([
          rawRequest({ host: host!, port: Number(port) }, wire, { timeoutMs: 1000, halfClose: true }),
          rawRequest(gw.proxyAddress(), wire, { timeoutMs: 1000, halfClose: true }),
        ]);
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(behind.seen.get(key) ?? [], direct.seen.get(key) ?? [], `requests differ for ${JSON.stringify(wire)}`);
      }),
      { seed: 0x5eed9, numRuns: Number(process.env.DIFF_RUNS ?? 150) },
    );
  });
});
