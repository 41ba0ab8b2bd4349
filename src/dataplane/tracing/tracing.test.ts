import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/helpers/otlp-receiver.js';
import type { AccessRecord } from '../access-log/record.js';
import { parseTraceParent } from './trace-context.js';
import { parseSampleRatio, tracesUrl, Tracing, TRACING_OFF } from './tracing.js';

const TID = '0af7651916cd43dd8448eb211c80319c';
const INCOMING = `00-${TID}-b7ad6b7169203331-01`;

function record(over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    startedAt: Date.now() - 5, clientIp: '127.0.0.1', forwardedFor: null, method: 'GET', host: 'echo.test', path: '/echo',
    protocol: 'HTTP/1.1', status: 200, bytesIn: 0, bytesOut: 10, totalMs: 4, upstreamMs: 3, route: 'r1', service: 's1',
    upstream: 'u1', target: '127.0.0.1:9', targetIdentity: 'pod-uid', sticky: 'new', retries: 0, error: null,
    referer: null, userAgent: null, traceId: null, ...over,
  };
}

test('off: a request without traceparent takes no part; one with a valid one keeps its trace', () => {
  assert.equal(TRACING_OFF.exporting, false);
  assert.equal(TRACING_OFF.begin(undefined, 'foo=1', 'GET', 0), null);
  const t = TRACING_OFF.begin(INCOMING, 'foo=1 , bar=2', 'GET', 0)!;
  assert.equal(t.traceId, TID);
  assert.notEqual(t.spanId, 'b7ad6b7169203331');
  assert.equal(t.traceparent, `00-${TID}-${t.spanId}-01`);
  assert.equal(t.tracestate, 'foo=1,bar=2');
  assert.equal(t.span, null);
});

test('off: an invalid traceparent is replaced by a new trace and its tracestate dropped', () => {
  const t = TRACING_OFF.begin(`00-${TID}-0000000000000000-01`, 'foo=1', 'GET', 0)!;
  assert.notEqual(t.traceId, TID);
  assert.deepEqual(parseTraceParent(t.traceparent), { traceId: t.traceId, parentId: t.spanId, sampled: false });
  assert.equal(t.tracestate, null);
});

test('endpoint and ratio parsing', () => {
  assert.equal(tracesUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(tracesUrl('http://127.0.0.1:4318/custom/path'), 'http://127.0.0.1:4318/custom/path');
  assert.throws(() => tracesUrl('ftp://x'), /http/);
  assert.throws(() => tracesUrl('not a url'));
  assert.equal(parseSampleRatio(undefined), 0);
  assert.equal(parseSampleRatio('0.25'), 0.25);
  for (const bad of ['2', '-0.1', 'abc', 'NaN']) assert.throws(() => parseSampleRatio(bad), /between 0 and 1/);
});

describe('export to a local OTLP receiver', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
  });

  test('ratio 1: one SERVER span per request with route, upstream, target, sticky and status; parents kept', async () => {
    const tracing = new Tracing({ otlpEndpoint: receiver.url, sampleRatio: 1 });
    const perfStart = performance.now();
    const startedAt = performance.timeOrigin + perfStart;
    const root = tracing.begin(undefined, undefined, 'GET', perfStart)!;
    assert.ok(root.span !== null, 'sampled');
    assert.match(root.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    tracing.end(root, record({ startedAt }));
    const child = tracing.begin(INCOMING, 'vendor=x', 'POST', performance.now())!;
    assert.equal(child.traceId, TID);
    assert.equal(child.tracestate, 'vendor=x');
    tracing.end(child, record({ method: 'POST', status: 502, error: 'CONNECT_FAILED', sticky: null }));
    await tracing.shutdown();
    assert.equal(receiver.spans.length, 2);
    assert.ok(receiver.contentTypes.every((c) => c.startsWith('application/json')));
    const [a, b] = [receiver.spans.find((s) => s.spanId === root.spanId)!, receiver.spans.find((s) => s.spanId === child.spanId)!];
    assert.equal(a.traceId, root.traceId);
    assert.equal(a.parentSpanId, '');
    assert.equal(a.kind, 2, 'SERVER (OTLP enum)');
    assert.equal(a.name, 'GET r1');
    assert.equal(a.resource['service.name'], 'berth');
    assert.deepEqual(
      [a.attributes['berth.route'], a.attributes['berth.upstream'], a.attributes['berth.target'], a.attributes['berth.target_identity'], a.attributes['berth.sticky'], a.attributes['http.response.status_code']],
      ['r1', 'u1', '127.0.0.1:9', 'pod-uid', 'new', 200],
    );
    assert.equal(a.statusCode, 0);
    assert.ok(a.startMs === Math.floor(startedAt) && a.endMs - a.startMs >= 3 && a.endMs - a.startMs <= 5, `duration ${a.endMs - a.startMs}`);
    assert.equal(b.traceId, TID);
    assert.equal(b.parentSpanId, 'b7ad6b7169203331');
    assert.equal(b.statusCode, 2, 'ERROR');
    assert.equal(b.attributes['error.type'], 'CONNECT_FAILED');
  });

  test('ratio 0: new traces are not exported but still propagated; a sampled caller is followed', async () => {
    const before = receiver.spans.length;
    const tracing = new Tracing({ otlpEndpoint: receiver.url, sampleRatio: 0 });
    const root = tracing.begin(undefined, undefined, 'GET', performance.now())!;
    assert.equal(root.span, null);
    assert.match(root.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    tracing.end(root, record());
    const child = tracing.begin(INCOMING, undefined, 'GET', performance.now())!;
    assert.ok(child.span !== null, 'the caller sampled it');
    tracing.end(child, record());
    const unsampled = tracing.begin(`00-${TID}-b7ad6b7169203331-00`, undefined, 'GET', performance.now())!;
    assert.equal(unsampled.span, null);
    await tracing.shutdown();
    assert.deepEqual(receiver.spans.slice(before).map((s) => s.spanId), [child.spanId]);
  });
});
