import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { GatewayMetrics } from './metrics.js';

test('requests, durations and sticky outcomes render with their labels', async () => {
  const m = new GatewayMetrics();
  m.request('shop', '10.0.0.1:80', 200, 0.003);
  m.request('shop', '10.0.0.1:80', 200, 0.004);
  m.request('shop', '10.0.0.2:80', 502, 2);
  m.sticky('shop', 'kept');
  m.sticky('shop', 'kept');
  m.sticky('shop', 'moved_gone');
  const text = await m.render();
  assert.match(text, /^berth_requests_total\{upstream="shop",target="10.0.0.1:80",status="200"\} 2$/m);
  assert.match(text, /^berth_requests_total\{upstream="shop",target="10.0.0.2:80",status="502"\} 1$/m);
  assert.match(text, /^berth_request_duration_seconds_count\{upstream="shop"\} 3$/m);
  assert.match(text, /^berth_request_duration_seconds_bucket\{le="0.005",upstream="shop"\} 2$/m);
  assert.match(text, /^berth_request_duration_seconds_bucket\{le="1",upstream="shop"\} 2$/m);
  assert.match(text, /^berth_sticky_total\{upstream="shop",outcome="kept"\} 2$/m);
  assert.match(text, /^berth_sticky_total\{upstream="shop",outcome="moved_gone"\} 1$/m);
  assert.match(m.contentType, /^text\/plain/);
  assert.equal(await globalRegistry.getSingleMetric('berth_requests_total'), undefined, 'global registry untouched');
});

test('two instances do not share series', async () => {
  const a = new GatewayMetrics();
  const b = new GatewayMetrics();
  a.request('u', 't', 200, 0.1);
  assert.doesNotMatch(await b.render(), /berth_requests_total\{/);
});

test('target states: 1 for the current state, and a new set replaces the old one', async () => {
  const m = new GatewayMetrics();
  m.setTargetStates([
    { upstream: 'u', target: 'a:1', state: 'DRAINING' },
    { upstream: 'u', target: 'b:1', state: 'HEALTHY' },
  ]);
  let text = await m.render();
  assert.match(text, /^berth_target_state\{upstream="u",target="a:1",state="DRAINING"\} 1$/m);
  assert.match(text, /^berth_target_state\{upstream="u",target="a:1",state="HEALTHY"\} 0$/m);
  assert.match(text, /^berth_target_state\{upstream="u",target="b:1",state="HEALTHY"\} 1$/m);
  m.setTargetStates([{ upstream: 'u', target: 'b:1', state: 'UNHEALTHY' }]);
  text = await m.render();
  assert.doesNotMatch(text, /target="a:1"/);
  assert.match(text, /^berth_target_state\{upstream="u",target="b:1",state="UNHEALTHY"\} 1$/m);
});

test('forgetUpstream drops the series of a removed upstream only', async () => {
  const m = new GatewayMetrics();
  m.request('gone', 't', 200, 0.1);
  m.sticky('gone', 'new');
  m.request('kept', 't', 200, 0.1);
  m.forgetUpstream('gone');
  const text = await m.render();
  assert.doesNotMatch(text, /upstream="gone"/);
  assert.match(text, /berth_requests_total\{upstream="kept"/);
  m.request('gone', 't', 200, 0.1);
  assert.match(await m.render(), /berth_requests_total\{upstream="gone",target="t",status="200"\} 1/);
});
