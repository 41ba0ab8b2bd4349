import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayConfig } from '../config/types.js';
import { silentLogger } from '../lib/log.js';
import { Gateway } from './gateway.js';
import { SessionKeyring } from './sticky/token.js';

function gateway(): Gateway {
  return new Gateway({
    proxyListen: { host: '127.0.0.1', port: 0 },
    keyring: SessionKeyring.fromSecrets(['runtime-test-secret-0123456789']),
    log: silentLogger(),
  });
}

function config(targetsA: Array<{ target: string; weight?: number; tags?: string[] }>, bWeight = 100): GatewayConfig {
  return {
    _format_version: '3.0',
    services: [
      { name: 'a', host: 'up-a', routes: [{ name: 'a', paths: ['/a'] }] },
      { name: 'b', host: 'up-b', routes: [{ name: 'b', paths: ['/b'] }] },
      { name: 'direct', host: '127.0.0.1', port: 9999, routes: [{ name: 'd', paths: ['/d'] }] },
    ],
    upstreams: [
      { name: 'up-a', algorithm: 'sticky-sessions', sticky_sessions_cookie: 's', targets: targetsA },
      { name: 'up-b', targets: [{ target: '10.0.1.1:80', weight: bWeight }] },
    ],
  };
}

describe('runtime reloads', () => {
  test('surviving targets keep their state object; weight changes in place; removed ones are flagged', () => {
    const gw = gateway();
    assert.equal(gw.apply(config([{ target: '10.0.0.1:80' }, { target: '10.0.0.2:80' }])).ok, true);
    const before = gw.runtime.upstreams.get('up-a')!;
    const [t1, t2] = before.targets;
    t1!.inFlight = 3;
    const balancer = before.balancer;
    const unrelated = gw.runtime.upstreams.get('up-b')!;
    const result = gw.apply(config([{ target: '10.0.0.1:80', weight: 0 }]));
    assert.deepEqual(result.ok && result.changed, true);
    const after = gw.runtime.upstreams.get('up-a')!;
    assert.equal(after.targets[0], t1);
    assert.equal(t1!.weight, 0);
    assert.equal(t1!.inFlight, 3);
    assert.equal(t1!.state, 'DRAINING');
    assert.equal(t2!.removed, true);
    assert.equal(after.balancer, balancer, 'same algorithm: the balancer (and its sessions) is kept');
    assert.equal(gw.runtime.upstreams.get('up-b'), unrelated, 'an unchanged upstream is reused as is');
  });

  test('a new identity at an old address is a new target', () => {
    const gw = gateway();
    gw.apply(config([{ target: '10.0.0.1:80', tags: ['berth.identity=pod-1'] }]));
    const old = gw.runtime.upstreams.get('up-a')!.targets[0]!;
    gw.apply(config([{ target: '10.0.0.1:80', tags: ['berth.identity=pod-2'] }]));
    const next = gw.runtime.upstreams.get('up-a')!.targets[0]!;
    assert.notEqual(next, old);
    assert.equal(old.removed, true);
    assert.equal(next.identity, 'pod-2');
  });

  test('an unchanged config is not rebuilt; an invalid one is rejected and the live one stays', () => {
    const gw = gateway();
    const first = gw.apply(config([{ target: '10.0.0.1:80' }]));
    const runtime = gw.runtime;
    const again = gw.apply(config([{ target: '10.0.0.1:80' }]));
    assert.deepEqual(again, { ok: true, hash: first.ok ? first.hash : '', changed: false });
    assert.equal(gw.runtime, runtime);
    const bad = gw.apply({ _format_version: '3.0', upstreams: [{ name: 'x', targets: [{ target: 'not a target!' }] }] });
    assert.equal(bad.ok, false);
    assert.equal(bad.ok === false && bad.error.code, 14);
    assert.equal(gw.runtime, runtime);
  });

  test('a service naming a host:port gets an implicit target that survives reloads', () => {
    const gw = gateway();
    gw.apply(config([{ target: '10.0.0.1:80' }]));
    const direct = gw.runtime.direct.get('127.0.0.1:9999')!;
    gw.apply(config([{ target: '10.0.0.1:80' }], 50));
    assert.equal(gw.runtime.direct.get('127.0.0.1:9999'), direct);
    assert.equal(gw.runtime.upstreams.has('127.0.0.1:9999'), false);
  });
});
