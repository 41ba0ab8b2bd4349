// W3C Trace Context propagation and OTLP/HTTP export from a real gateway process (dist/), to a
// local OTLP receiver (a plain HTTP server on 127.0.0.1 decoding the JSON export); and
// --trusted-ips both ways: which incoming X-Forwarded-* / Forwarded headers the upstream sees.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

type Echo = { backend: string; headers: Record<string, string | undefined> };
const TID = '4bf92f3577b34da6a3ce929d0e0e4736';

function config(backend: Backend): Record<string, unknown> {
  return {
    _format_version: '3.0',
    services: [{ name: 'svc', host: 'sticky-up', routes: [{ name: 'traced', paths: ['/'] }] }],
    upstreams: [{
      name: 'sticky-up', algorithm: 'sticky-sessions', sticky_sessions_cookie: 'sid',
      targets: [{ target: backend.address, tags: ['berth.identity=pod-uid-1'] }],
    }],
  };
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('tracing', () => {
  let backend: Backend;
  let receiver: OtlpReceiver;
  let exporting: GatewayProcess;
  let off: GatewayProcess;
  let logFile = '';

  before(async () => {
    backend = await startBackend({ name: 'traced', host: '127.0.0.46' });
    receiver = await startOtlpReceiver();
    logFile = join(mkdtempSync(join(tmpdir(), 'berth-trace-')), 'access.log');
    exporting = await spawnGateway({
      config: config(backend),
      args: ['--access-log', logFile],
      env: { BERTH_OTLP_ENDPOINT: receiver.url, BERTH_TRACE_SAMPLE_RATIO: '1' },
    });
    off = await spawnGateway({ config: config(backend), args: ['--access-log', 'off'] });
  });
  after(async () => {
    await Promise.all([exporting?.stop(), off?.stop()]);
    await receiver?.close();
    await backend?.close();
  });

  test('export: one SERVER span per request with route, upstream, target, sticky outcome and status', async () => {
    const res = await json<Echo>(`${exporting.proxyUrl}/a`, { headers: { traceparent: `00-${TID}-00f067aa0ba902b7-01`, tracestate: 'congo=t61rcWkgMzE' } });
    const sent = res.body.headers;
    assert.match(sent.traceparent!, new RegExp(`^00-${TID}-[0-9a-f]{16}-01$`));
    const spanId = sent.traceparent!.split('-')[2]!;
    assert.notEqual(spanId, '00f067aa0ba902b7');
    assert.equal(sent.tracestate, 'congo=t61rcWkgMzE');
    const span = await until('the span export', () => receiver.spans.find((s) => s.spanId === spanId));
    assert.equal(span.traceId, TID);
    assert.equal(span.parentSpanId, '00f067aa0ba902b7');
    assert.equal(span.kind, 2);
    assert.equal(span.name, 'GET traced');
    assert.deepEqual(
      ['berth.route', 'berth.upstream', 'berth.target', 'berth.target_identity', 'berth.sticky', 'http.response.status_code', 'url.path'].map((k) => span.attributes[k]),
      ['traced', 'sticky-up', backend.address, 'pod-uid-1', 'new', 200, '/a'],
    );
    const line = await until('the access log line', () => readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"path":"/a"')));
    assert.equal(JSON.parse(line).trace_id, TID);
  });

  test('export: a request without traceparent starts a trace; a 404 is a span too', async () => {
    const res = await json<Echo>(`${exporting.proxyUrl}/b`);
    const [, traceId, spanId, flags] = res.body.headers.traceparent!.split('-');
    assert.equal(flags, '01');
    const span = await until('the span', () => receiver.spans.find((s) => s.spanId === spanId));
    assert.deepEqual([span.traceId, span.parentSpanId], [traceId, '']);
  });

  test('export to a collector that is down: requests are served, the failure is logged as a warning', async () => {
    const { closedPort } = await import('../helpers/backend.js');
    const down = await spawnGateway({
      config: config(backend),
      args: ['--access-log', 'off', '--otlp-endpoint', `http://127.0.0.1:${await closedPort()}`, '--trace-sample-ratio', '1'],
    });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await json<Echo>(`${down.proxyUrl}/d`)).status, 200);
      // The failure is reported once the OTLP exporter gives up: 5 attempts with backoffs of 1, 1.5,
      // 2.25 and 3.4 s, each ±20 % jitter (@opentelemetry/otlp-exporter-base retrying-transport),
      // after the batch's 1 s delay: up to ~11 s, past the 10 s other waits here allow.
      await until('the export warning', () => down.output().split('\n').find((l) => l.includes('"msg":"trace export:') && l.includes('"level":40')), 30_000);
    } finally {
      await down.stop();
    }
  });

  test('off: no traceparent in, none out; a valid one gets berth\'s span id; an invalid one is replaced', async () => {
    const plain = await json<Echo>(`${off.proxyUrl}/c`, { headers: { tracestate: 'a=1' } });
    assert.equal(plain.body.headers.traceparent, undefined);
    assert.equal(plain.body.headers.tracestate, 'a=1', 'not taking part: passed on as is');
    const valid = await json<Echo>(`${off.proxyUrl}/c`, { headers: { traceparent: `00-${TID}-00f067aa0ba902b7-00`, tracestate: 'a=1,b=2' } });
    assert.match(valid.body.headers.traceparent!, new RegExp(`^00-${TID}-(?!00f067aa0ba902b7)[0-9a-f]{16}-00$`));
    assert.equal(valid.body.headers.tracestate, 'a=1,b=2');
    const invalid = await json<Echo>(`${off.proxyUrl}/c`, { headers: { traceparent: `00-${TID.toUpperCase()}-00f067aa0ba902b7-01`, tracestate: 'a=1' } });
    assert.match(invalid.body.headers.traceparent!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.ok(!invalid.body.headers.traceparent!.includes(TID));
    assert.equal(invalid.body.headers.tracestate, undefined, 'the tracestate of an invalid traceparent is dropped');
  });
});

describe('--trusted-ips', () => {
  let backend: Backend;
  let trusting: GatewayProcess;
  let distrusting: GatewayProcess;
  let logFile = '';
  const spoof = {
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'public.example',
    'x-forwarded-port': '443',
    'x-real-ip': '203.0.113.9',
    forwarded: 'for=203.0.113.9;proto=https',
  };

  before(async () => {
    backend = await startBackend({ name: 'fwd', host: '127.0.0.47' });
    logFile = join(mkdtempSync(join(tmpdir(), 'berth-trusted-')), 'access.log');
    trusting = await spawnGateway({ config: config(backend), args: ['--trusted-ips', '10.0.0.0/8, 127.0.0.0/8', '--access-log', logFile] });
    distrusting = await spawnGateway({ config: config(backend), env: { BERTH_TRUSTED_IPS: '10.0.0.0/8,::1' }, args: ['--access-log', 'off'] });
  });
  after(async () => {
    await Promise.all([trusting?.stop(), distrusting?.stop()]);
    await backend?.close();
  });

  test('from a trusted peer X-Forwarded-* are kept and extended, and the chain is logged', async () => {
    const h = (await json<Echo>(`${trusting.proxyUrl}/t`, { headers: spoof })).body.headers;
    assert.deepEqual(
      [h['x-forwarded-for'], h['x-forwarded-proto'], h['x-forwarded-host'], h['x-forwarded-port'], h['x-real-ip'], h.forwarded],
      ['203.0.113.9, 127.0.0.1', 'https', 'public.example', '443', '203.0.113.9', `for=203.0.113.9;proto=https, for=127.0.0.1;host="127.0.0.1:${trusting.proxy.port}";proto=http`],
    );
    const line = await until('the access log line', () => readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"path":"/t"')));
    assert.deepEqual([JSON.parse(line).client_ip, JSON.parse(line).x_forwarded_for], ['127.0.0.1', '203.0.113.9']);
  });

  test('from any other peer they are replaced by what berth saw', async () => {
    const h = (await json<Echo>(`${distrusting.proxyUrl}/t`, { headers: spoof })).body.headers;
    assert.deepEqual(
      [h['x-forwarded-for'], h['x-forwarded-proto'], h['x-forwarded-host'], h['x-forwarded-port'], h['x-real-ip'], h.forwarded],
      ['127.0.0.1', 'http', '127.0.0.1', String(distrusting.proxy.port), '127.0.0.1', `for=127.0.0.1;host="127.0.0.1:${distrusting.proxy.port}";proto=http`],
    );
  });
});
