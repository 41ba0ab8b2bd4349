import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../test/apiserver/server.js';
import { silentLogger } from '../lib/log.js';
import { loadKubeConfig } from './sources/kube.js';
import { GatewayPusher, parseAdminService } from './pusher.js';
import type { GatewayConfig } from '../config/types.js';

/** FakeAdmin is a gateway admin API reduced to what the pusher uses: POST /config and GET /status. */
class FakeAdmin {
  posts = 0;
  hash = 'empty';
  reject = false;
  garbage = false;
  private server: Server | null = null;
  port = 0;
  get url() { return `http://127.0.0.1:${this.port}`; }
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (this.garbage) return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
        if (req.method === 'POST' && req.url === '/config') {
          this.posts++;
          if (this.reject) return void res.writeHead(400).end('{"message":"invalid"}');
          this.hash = createHash('md5').update(body).digest('hex');
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ configuration_hash: this.hash }));
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ configuration_hash: this.hash }));
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server!.address() as { port: number }).port;
    return this;
  }
  async stop() { await new Promise((r) => this.server?.close(r)); this.server?.closeAllConnections(); }
  /** restart: a fresh process on the same port, with no config. */
  async restart() { await this.stop(); this.hash = 'empty'; await this.start(); }
}

const config = (n: number) => ({ _format_version: '3.0', services: [{ name: `s${n}` }] }) as unknown as GatewayConfig;

test('pushes to every replica, skips unchanged hashes, re-pushes to a restarted replica', async () => {
  const a = await new FakeAdmin().start();
  const b = await new FakeAdmin().start();
  const pusher = new GatewayPusher({ urls: [a.url, b.url + '/'], log: silentLogger(), pollMs: 50 });
  try {
    await pusher.push(config(1), 'h1');
    assert.deepEqual([a.posts, b.posts], [1, 1]);
    await pusher.push(config(1), 'h1');
    assert.deepEqual([a.posts, b.posts], [1, 1]);
    await pusher.push(config(2), 'h2');
    assert.deepEqual([a.posts, b.posts], [2, 2]);
    await pusher.poll();
    assert.deepEqual([a.posts, b.posts], [2, 2], 'both still have what they reported');
    await b.restart();
    pusher.start();
    const end = Date.now() + 3000;
    while (b.posts < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(b.posts, 3);
    assert.equal(a.posts, 2);
    assert.equal(b.hash, a.hash);
  } finally {
    await pusher.stop();
    await a.stop();
    await b.stop();
  }
});

test('a replica that is down fails the push; it gets the config once it is back', async () => {
  const a = await new FakeAdmin().start();
  const b = await new FakeAdmin().start();
  await b.stop();
  const pusher = new GatewayPusher({ urls: [a.url, b.url], log: silentLogger(), timeoutMs: 1000 });
  try {
    await assert.rejects(pusher.push(config(1), 'h1'), new RegExp(`failed for ${b.url}`));
    assert.equal(a.posts, 1);
    await b.start();
    await pusher.poll();
    assert.equal(b.posts, 1);
    assert.equal(a.posts, 1);
  } finally {
    await pusher.stop();
    await a.stop();
    await b.stop();
  }
});

test('a rejected config is not re-pushed on every poll; a standby pushes nothing', async () => {
  const a = await new FakeAdmin().start();
  a.reject = true;
  let leader = true;
  const pusher = new GatewayPusher({ urls: [a.url], log: silentLogger(), active: () => leader });
  try {
    await assert.rejects(pusher.push(config(1), 'h1'));
    await pusher.poll();
    await pusher.poll();
    assert.equal(a.posts, 1);
    leader = false;
    a.reject = false;
    await pusher.push(config(2), 'h2');
    await pusher.poll();
    assert.equal(a.posts, 1);
    leader = true;
    await pusher.poll();
    assert.equal(a.posts, 2);
  } finally {
    await pusher.stop();
    await a.stop();
  }
});

test('discovers replicas from the admin Service EndpointSlices (ready or serving, port "admin")', async () => {
  const api = new ApiServer();
  await api.start();
  const a = await new FakeAdmin().start();
  const b = await new FakeAdmin().start();
  const slice = (name: string, port: number, ready: boolean) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name, namespace: 'kong', labels: { 'kubernetes.io/service-name': 'berth-admin' } },
    ports: [{ name: 'admin', port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready, serving: ready } }],
  });
  api.apply(slice('s1', a.port, true));
  api.apply(slice('s2', b.port, false));
  api.apply({ ...slice('other', b.port, true), metadata: { name: 'other', namespace: 'kong', labels: { 'kubernetes.io/service-name': 'x' } } });
  const kubeconfig = loadKubeConfig(api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-push-')), 'config')));
  const pusher = new GatewayPusher({ service: parseAdminService('kong/berth-admin'), kubeconfig, log: silentLogger() });
  try {
    await pusher.push(config(1), 'h1');
    assert.deepEqual(pusher.state().map((r) => r.url), [a.url]);
    assert.deepEqual([a.posts, b.posts], [1, 0]);
    api.apply(slice('s2', b.port, true));
    await pusher.poll();
    assert.deepEqual([a.posts, b.posts], [1, 1]);
    assert.ok(api.requests.some((r) => r.resource === 'endpointslices' && r.verb === 'list' && r.query.includes('labelSelector')));
  } finally {
    await pusher.stop();
    await a.stop();
    await b.stop();
    await api.stop();
  }
});

test('parseAdminService', () => {
  assert.deepEqual(parseAdminService('kong/admin'), { namespace: 'kong', name: 'admin' });
  assert.deepEqual(parseAdminService('admin', 'ns'), { namespace: 'ns', name: 'admin' });
  assert.throws(() => parseAdminService('a/b/c'));
  assert.throws(() => parseAdminService('/b'));
});

test('garbage from a replica never crashes the pusher; the replica is configured once it answers sanely', async () => {
  const a = await new FakeAdmin().start();
  a.garbage = true;
  const pusher = new GatewayPusher({ urls: [a.url], log: silentLogger() });
  try {
    await pusher.push(config(1), 'h1');
    await pusher.poll();
    assert.equal(a.hash, 'empty');
    a.garbage = false;
    await pusher.poll();
    assert.equal(a.hash, createHash('md5').update(JSON.stringify(config(1))).digest('hex'));
  } finally {
    await pusher.stop();
    await a.stop();
  }
});
