import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { MemoryStatusSink, type AdminRouter } from './memory-status.js';
import type { TranslateResult } from './types.js';

/** A minimal admin server: exact method + path routing, as the gateway's admin API does. */
async function adminServer(): Promise<AdminRouter & { base: string; close: () => void }> {
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const server = createServer((req, res) => {
    const handler = routes.get(`${req.method} ${new URL(req.url!, 'http://x').pathname}`);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addAdminRoute: (method, path, handler) => void routes.set(`${method} ${path}`, handler),
    close: () => server.close(),
  };
}

const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'kong', name });

function result(statusNames: string[], eventReason?: string): TranslateResult {
  return {
    config: { _format_version: '3.0' },
    statuses: statusNames.map((name) => ({ ref: ref(name === 'echo' ? 'HTTPRoute' : 'KongUpstreamPolicy', name), status: { ok: name } })),
    events: eventReason ? [{ type: 'Warning', reason: eventReason, message: 'bad policy', involvedObject: ref('KongUpstreamPolicy', 'p') }] : [],
  };
}

describe('MemoryStatusSink', () => {
  it('serves the latest statuses, filtered by kind/namespace/name, replacing older ones', async () => {
    const sink = new MemoryStatusSink();
    const admin = await adminServer();
    try {
      sink.register(admin);
      await sink.publish(result(['echo', 'p']));
      await sink.publish(result(['echo', 'q']));
      const all = await (await fetch(`${admin.base}/kubernetes/status`)).json();
      assert.deepEqual(all.data.map((s: any) => s.ref.name), ['echo', 'q']);
      const policies = await (await fetch(`${admin.base}/kubernetes/status?kind=KongUpstreamPolicy`)).json();
      assert.deepEqual(policies, { data: [{ ref: ref('KongUpstreamPolicy', 'q'), status: { ok: 'q' } }], next: null });
      const none = await (await fetch(`${admin.base}/kubernetes/status?namespace=other`)).json();
      assert.deepEqual(none.data, []);
    } finally {
      admin.close();
    }
  });

  it('deduplicates repeated events with a count and bounds the history', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const sink = new MemoryStatusSink(() => now);
    await sink.publish(result([], 'Conflicted'));
    now += 1000;
    await sink.publish(result([], 'Conflicted'));
    const [event] = sink.events();
    assert.equal(sink.events().length, 1);
    assert.equal(event!.count, 2);
    assert.equal(event!.firstTimestamp, '2026-01-01T00:00:00.000Z');
    assert.equal(event!.lastTimestamp, '2026-01-01T00:00:01.000Z');
    for (let i = 0; i < 600; i++) await sink.publish(result([], `R${i}`));
    assert.equal(sink.events().length, 500);
    assert.equal(sink.events().at(-1)!.reason, 'R599');
  });
});
