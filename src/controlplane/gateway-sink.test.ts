import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../config/types.js';
import { Gateway } from '../dataplane/gateway.js';
import { SessionKeyring } from '../dataplane/sticky/token.js';
import { silentLogger } from '../lib/log.js';
import { ConfigRejectedError, GatewayConfigSink } from './gateway-sink.js';

const config = (port: number): GatewayConfig => ({
  _format_version: '3.0',
  services: [{ name: 'echo', host: 'echo-upstream', port, routes: [{ name: 'r', paths: ['/echo'] }] }],
  upstreams: [{ name: 'echo-upstream', targets: [{ target: '127.0.0.1:1027' }] }],
} as GatewayConfig);

describe('GatewayConfigSink', () => {
  const gateway = () => new Gateway({ proxyListen: { host: '127.0.0.1', port: 0 }, keyring: SessionKeyring.random(), log: silentLogger() });

  it('makes the config live and skips a push with the hash it already applied', async () => {
    const gw = gateway();
    const sink = new GatewayConfigSink(gw);
    await sink.push(config(80), 'h1');
    assert.equal(gw.config?.services?.[0]?.name, 'echo');
    const live = gw.config;
    await sink.push(config(81), 'h1'); // same hash: the controller says nothing changed
    assert.equal(gw.config, live);
    await sink.push(config(81), 'h2');
    assert.equal(gw.config?.services?.[0]?.port, 81);
  });

  it('rejects an invalid config with the gateway\'s reason and keeps the last good one', async () => {
    const gw = gateway();
    const sink = new GatewayConfigSink(gw);
    await sink.push(config(80), 'good');
    const bad = { _format_version: '3.0', services: [{ name: 'x', host: 'h', port: 'not a port' }] } as unknown as GatewayConfig;
    await assert.rejects(sink.push(bad, 'bad'), (err: Error) => err instanceof ConfigRejectedError && /port/.test(err.message));
    assert.equal(gw.config?.services?.[0]?.name, 'echo');
    await assert.rejects(sink.push(bad, 'bad'), ConfigRejectedError); // a rejected hash is not remembered as applied
  });
});
