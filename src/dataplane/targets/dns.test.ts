import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../lib/log.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { TargetResolver, type HostLookup } from './dns.js';
import { TargetState } from './target.js';

const FAST = { okMs: 20, notFoundMs: 20, errorMs: 10 };

/** A lookup whose answers the test decides: names in `missing` fail as a real NXDOMAIN does. */
function controlledLookup(missing: Set<string>, asked: string[] = []): HostLookup {
  return async (host) => {
    asked.push(host);
    if (missing.has(host)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return { address: '127.0.0.1', family: 4 };
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('resolver: a name that does not resolve is DNS_ERROR and takes no traffic; it recovers when the name resolves again', async () => {
  const byName = new TargetState('u', 'a', 'app.internal', 8080, 100);
  const byIp = new TargetState('u', 'b', '10.0.0.7', 8080, 100);
  const missing = new Set(['app.internal']);
  const asked: string[] = [];
  const changes: string[] = [];
  const resolver = new TargetResolver(() => [byName, byIp], (t) => changes.push(`${t.address}:${t.state}`), createLogger('silent'), FAST, controlledLookup(missing, asked));
  resolver.sync();
  await until(() => byName.dnsError, 'DNS_ERROR');
  assert.equal(byName.state, 'DNS_ERROR');
  assert.equal(byName.kongHealth, 'DNS_ERROR');
  assert.equal(byName.servesNew, false);
  assert.equal(byName.servesPinned, false, 'Kong sends no traffic to a DNS_ERROR target, pinned or not');
  assert.ok(!asked.includes('10.0.0.7'), 'IP targets are never looked up');
  missing.clear();
  await until(() => !byName.dnsError, 'recovery');
  assert.equal(byName.state, 'HEALTHCHECKS_OFF');
  assert.deepEqual(changes, ['app.internal:8080:DNS_ERROR', 'app.internal:8080:HEALTHCHECKS_OFF']);
  resolver.stop();
  const count = asked.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(asked.length, count, 'stop() ends the lookups');
});

test('resolver: a name that leaves the targets is no longer looked up', async () => {
  let targets = [new TargetState('u', 'a', 'gone.internal', 80, 100)];
  const asked: string[] = [];
  const resolver = new TargetResolver(() => targets, () => {}, createLogger('silent'), FAST, controlledLookup(new Set(), asked));
  resolver.sync();
  await until(() => asked.length >= 2, 'a second lookup');
  targets = [];
  resolver.sync();
  const count = asked.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(asked.length <= count + 1, `looked up ${asked.length - count} more times after the name left`);
  resolver.stop();
});

test('gateway: a DNS_ERROR target shows in /upstreams/{u}/health and every request goes to the target that resolves', async (t) => {
  const backend = http.createServer((_req, res) => res.end('up'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const port = (backend.address() as AddressInfo).port;
  const missing = new Set(['no-such-pod.invalid']);
  const gateway = await startGateway({
    _format_version: '3.0',
    services: [{ name: 's', host: 'u', retries: 0, routes: [{ name: 'r', paths: ['/'] }] }],
    upstreams: [{ name: 'u', algorithm: 'round-robin', targets: [{ target: `127.0.0.1:${port}` }, { target: 'no-such-pod.invalid:80' }] }],
  }, { adminListen: { host: '127.0.0.1', port: 0 }, dns: { timings: FAST, lookup: controlledLookup(missing) } });
  t.after(async () => {
    await gateway.stop();
    backend.close();
  });
  const admin = gateway.adminAddress()!;
  const states = async (): Promise<Record<string, string>> => {
    const body = (await (await fetch(`http://127.0.0.1:${admin.port}/upstreams/u/health`)).json()) as { data: Array<{ target: string; state: string; health: string }> };
    return Object.fromEntries(body.data.map((r) => [r.target, `${r.state}/${r.health}`]));
  };
  await until(() => gateway.runtime.upstreams.get('u')!.targets.some((x) => x.dnsError), 'the lookup');
  assert.deepEqual(await states(), { [`127.0.0.1:${port}`]: 'HEALTHCHECKS_OFF/HEALTHCHECKS_OFF', 'no-such-pod.invalid:80': 'DNS_ERROR/DNS_ERROR' });
  const proxy = gateway.proxyAddress();
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`http://127.0.0.1:${proxy.port}/`);
    assert.equal(res.status, 200, 'round-robin never picks the target whose name does not resolve');
    assert.equal(await res.text(), 'up');
  }
});
