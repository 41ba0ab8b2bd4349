// gRPC calls in the access log and as exported spans: one line and one span per call (per stream,
// at its end), protocol grpc, with the route, target and HTTP status (gRPC errors travel in
// trailers, so they are 200 here). @grpc/grpc-js client and server, berth in-process (h2c).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLog } from '../../src/dataplane/access-log/access-log.js';
import { AccessLogWriter } from '../../src/dataplane/access-log/writer.js';
import { Gateway } from '../../src/dataplane/gateway.js';
import { testHttp2Engine } from '../helpers/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { Tracing } from '../../src/dataplane/tracing/tracing.js';
import { silentLogger } from '../../src/lib/log.js';
import { count, echoClient, grpc, say, startGrpcBackend, type GrpcBackend } from '../helpers/grpc.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const TID = '5bf92f3577b34da6a3ce929d0e0e4736';

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gRPC in the access log and traces', () => {
  let backend: GrpcBackend;
  let receiver: OtlpReceiver;
  let gateway: Gateway;
  let file = '';
  let address = '';
  const lines = (): Array<Record<string, unknown>> =>
    readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    backend = await startGrpcBackend('grpc-pod', '127.0.0.48');
    receiver = await startOtlpReceiver();
    file = join(mkdtempSync(join(tmpdir(), 'berth-grpc-log-')), 'access.log');
    gateway = new Gateway({ http2Engine: testHttp2Engine(),
      proxyListen: { host: '127.0.0.1', port: 0 },
      keyring: loadSessionSecrets({ secret: 'grpc-observability-secret-0123' }).keyring,
      log: silentLogger(),
      shutdownTimeoutMs: 2000,
      accessLog: new AccessLog(AccessLogWriter.toFile(file), 'json'),
      tracing: new Tracing({ otlpEndpoint: receiver.url, sampleRatio: 1 }),
    });
    const applied = gateway.apply({
      _format_version: '3.0',
      services: [{ name: 'echo', host: 'up-echo', protocol: 'grpc', routes: [{ name: 'echo', protocols: ['grpc'], paths: ['/berth.test.Echo/'], strip_path: false }] }],
      upstreams: [{ name: 'up-echo', targets: [{ target: backend.address, tags: ['berth.identity=grpc-pod-uid'] }] }],
    });
    assert.ok(applied.ok);
    await gateway.start();
    address = `127.0.0.1:${gateway.proxyAddress().port}`;
  });
  after(async () => {
    await gateway?.stop();
    await backend?.close();
    await receiver?.close();
  });

  test('a unary call and a server stream: one line each, protocol grpc; errors keep their HTTP status 200', async () => {
    const client = echoClient(address);
    try {
      const md = new grpc.Metadata();
      md.set('traceparent', `00-${TID}-00f067aa0ba902b7-01`);
      const ok = await say(client, { text: 'hi' }, { metadata: md });
      assert.equal(ok.reply?.pod, 'grpc-pod');
      const stream = await count(client, 5);
      assert.equal(stream.replies.length, 5);
      const failed = await say(client, { text: 'x', fail_code: grpc.status.NOT_FOUND });
      assert.equal(failed.error?.code, grpc.status.NOT_FOUND);
    } finally {
      client.close();
    }
    const logged = await until('three access-log lines', () => (lines().length >= 3 ? lines() : undefined));
    assert.deepEqual(
      logged.map((l) => [l.protocol, l.method, l.path, l.status, l.route, l.upstream, l.target, l.target_identity, l.error]),
      [
        ['grpc', 'POST', '/berth.test.Echo/Say', 200, 'echo', 'up-echo', backend.address, 'grpc-pod-uid', null],
        ['grpc', 'POST', '/berth.test.Echo/Count', 200, 'echo', 'up-echo', backend.address, 'grpc-pod-uid', null],
        ['grpc', 'POST', '/berth.test.Echo/Say', 200, 'echo', 'up-echo', backend.address, 'grpc-pod-uid', null],
      ],
    );
    assert.ok((logged[1]!.bytes_out as number) > (logged[0]!.bytes_out as number), 'the stream sent more bytes');
    assert.equal(logged[0]!.trace_id, TID);
    const span = await until('the unary call span', () => receiver.spans.find((s) => s.traceId === TID));
    assert.equal(span.parentSpanId, '00f067aa0ba902b7');
    assert.deepEqual([span.attributes['berth.route'], span.attributes['berth.target'], span.attributes['network.protocol.name']], ['echo', backend.address, 'grpc']);
  });
});
