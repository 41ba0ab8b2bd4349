import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayMetrics } from '../metrics/metrics.js';
import { aggregateMetrics } from './aggregate.js';

describe('aggregateMetrics', () => {
  it('sums counters and histograms series by series over processes', async () => {
    const [a, b, primary] = [new GatewayMetrics(), new GatewayMetrics(), new GatewayMetrics()];
    a.request('up', '10.0.0.1:80', 200, 0.002);
    a.request('up', '10.0.0.1:80', 200, 0.002);
    b.request('up', '10.0.0.1:80', 200, 0.2);
    b.request('up', '10.0.0.2:80', 503, 0.2);
    a.sticky('up', 'kept');
    b.sticky('up', 'kept');
    primary.setTargetStates([{ upstream: 'up', target: '10.0.0.1:80', state: 'DRAINING' }]);
    const text = await aggregateMetrics(await Promise.all([primary, a, b].map((m) => m.registry.getMetricsAsJSON())));
    assert.match(text, /^berth_requests_total\{upstream="up",target="10\.0\.0\.1:80",status="200"\} 3$/m);
    assert.match(text, /^berth_requests_total\{upstream="up",target="10\.0\.0\.2:80",status="503"\} 1$/m);
    assert.match(text, /^berth_sticky_total\{upstream="up",outcome="kept"\} 2$/m);
    assert.match(text, /^berth_request_duration_seconds_count\{upstream="up"\} 4$/m);
    assert.match(text, /^berth_request_duration_seconds_bucket\{le="0\.0025",upstream="up"\} 2$/m);
    assert.match(text, /^berth_target_state\{upstream="up",target="10\.0\.0\.1:80",state="DRAINING"\} 1$/m);
  });
});
