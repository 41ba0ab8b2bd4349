// Mirror against real sockets: the copy reaches one target of the named upstream with the
// primary's rewritten path and headers, `percent` samples requests, and a missing upstream or a
// target that takes no new traffic means no copy (never an error).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { TargetState } from '../targets/target.js';
import type { UpstreamRuntime } from '../upstreams.js';
import { compileMirror, Mirror, type MirrorSource } from './mirror.js';

describe('request-mirror', () => {
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  let server: http.Server;
  let target: TargetState;

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.8.31', () => r()));
    target = new TargetState('mirror', 'm', '127.0.8.31', (server.address() as AddressInfo).port, 100);
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  const upstreams = (t: TargetState): ReadonlyMap<string, UpstreamRuntime> => new Map([['mirror', { targets: [t] } as unknown as UpstreamRuntime]]);
  const source = (path: string, ups = upstreams(target)): MirrorSource => ({
    req: { headers: { host: 'app.example' }, rawHeaders: ['Host', 'app.example', 'X-Kept', '1', 'Connection', 'keep-alive'], complete: true } as unknown as MirrorSource['req'],
    method: 'GET',
    query: 'a=1',
    upstreamPath: path,
    requestHeaders: ['Host', 'app.example', 'X-Kept', '1', 'X-Added', 'yes', 'Connection', 'keep-alive'],
    ctx: { runtime: { upstreams: ups } },
  });
  const arrived = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  test('the copy carries the rewritten path, the edited headers and the client Host, not hop-by-hop ones', async () => {
    seen.length = 0;
    new Mirror({ upstream: 'mirror' }).send(source('/rewritten'));
    await arrived(1);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, '/rewritten?a=1');
    assert.deepEqual([seen[0]!.headers.host, seen[0]!.headers['x-kept'], seen[0]!.headers['x-added']], ['app.example', '1', 'yes']);
    assert.notEqual(seen[0]!.headers.connection, 'keep-alive');
  });

  test('percent samples about that share of requests', async () => {
    seen.length = 0;
    const mirror = new Mirror({ upstream: 'mirror', percent: 20 });
    // Batches below the in-flight cap (64), each left to finish, so only sampling drops copies.
    for (let batch = 0; batch < 10; batch++) {
      const before = seen.length;
      for (let i = 0; i < 50; i++) mirror.send(source(`/p${batch}-${i}`));
      await new Promise((r) => setTimeout(r, 150));
      assert.ok(seen.length - before <= 50);
    }
    // 500 requests at 20%: 100 expected, sd 9; 60..140 is more than 4 sd either way.
    assert.ok(seen.length >= 60 && seen.length <= 140, `${seen.length} copies of 500 at 20%`);
  });

  test('no upstream, or no target taking new traffic: no copy, no error', async () => {
    seen.length = 0;
    const draining = new TargetState('mirror', 'd', '127.0.8.31', target.port, 0);
    new Mirror({ upstream: 'missing' }).send(source('/none'));
    new Mirror({ upstream: 'mirror' }).send(source('/draining', upstreams(draining)));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(seen.length, 0);
  });

  test('a copy the mirror does not read is dropped past 1 MiB buffered (memory stays bounded)', async () => {
    const sockets: net.Socket[] = [];
    const stuck = net.createServer((socket) => {
      socket.pause(); // never reads: the copy's writes pile up on our side
      sockets.push(socket.on('error', () => undefined));
    });
    await new Promise<void>((r) => stuck.listen(0, '127.0.8.32', () => r()));
    const stuckTarget = new TargetState('mirror', 's', '127.0.8.32', (stuck.address() as AddressInfo).port, 100);
    const mirror = new Mirror({ upstream: 'mirror' });
    const front = http.createServer((req, res) => {
      mirror.send({ ...source('/big', upstreams(stuckTarget)), req, method: 'POST', requestHeaders: null } as MirrorSource);
      req.resume(); // the primary reads the body as fast as it comes
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => front.listen(0, '127.0.8.33', () => r()));
    try {
      const body = Buffer.alloc(16 << 20, 'z');
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.8.33', port: (front.address() as AddressInfo).port, method: 'POST', path: '/big', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(sockets.length, 1, 'the copy reached the stuck mirror');
      for (let i = 0; i < 60 && mirror.openCopies > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(mirror.openCopies, 0, 'the stuck copy was still open 3 s after the primary finished');
    } finally {
      for (const socket of sockets) socket.destroy();
      front.close();
      stuck.close();
    }
  });

  test('compileMirror: every destination; a disabled route plugin switches the service one off', () => {
    const svc = { name: 's', host: 'h', plugins: [{ name: 'request-mirror' as const, config: { mirrors: [{ upstream: 'a' }, { upstream: 'b', percent: 5 }] } }] };
    assert.equal(compileMirror({ name: 'r' }, svc)?.list.length, 2);
    assert.equal(compileMirror({ name: 'r', plugins: [{ name: 'request-mirror', enabled: false, config: { mirrors: [{ upstream: 'a' }] } }] }, svc), null);
    assert.equal(compileMirror({ name: 'r' }, { name: 's', host: 'h' }), null);
  });
});
