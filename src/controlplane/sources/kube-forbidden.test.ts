import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ApiServer } from '../../../test/apiserver/server.js';
import { createKubeSource } from './kube.js';
import type { ObjectSource } from './source.js';

// A kube-apiserver answers 403 for about a second after it starts (its RBAC cache is not ready):
// for a kind berth listed before, that is not a denial (issue 11, point 2).

const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'kong' }, spec: { ports: [{ port: 80 }] } });

async function setup(forbiddenGraceMs = 3000) {
  const api = new ApiServer();
  await api.start();
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-403-')), 'config'));
  const source = createKubeSource({ kubeconfig, namespaces: [], log, notServedRetryMs: 30_000, forbiddenGraceMs });
  return { api, source, lines };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const names = (source: ObjectSource) => source.objects().filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort();

test('after an API restart, 403 on a kind served before is transient: objects kept, changes seen soon after it is ready', async () => {
  const { api, source, lines } = await setup();
  try {
    api.apply(svc('a'));
    await source.start();
    await api.down();
    await new Promise((r) => setTimeout(r, 600));
    api.startingUp(1200);
    await api.up();
    api.apply(svc('b'));
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(names(source), ['a'], 'the cached objects stay during the 403 phase');
    const readyAt = Date.now() + 600;
    await until('the change made during the 403 phase', () => names(source).length === 2, 6000);
    const lag = Date.now() - readyAt;
    assert.ok(lag < 2000, `seen ${lag} ms after the API server was ready`);
    assert.ok(!lines.some((l) => /treating it as empty/.test(l.msg)), 'no kind was parked');
    assert.ok(lines.some((l) => l.status === 403 && /served before/.test(l.msg)), 'the log says what the 403 is');
    const serviceWarnings = lines.filter((l) => l.kind === 'Service' && l.level === 40);
    assert.ok(serviceWarnings.length <= 2, `one line per failure kind, not per retry: ${serviceWarnings.length}`);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('a never-listed kind answered 403 during start-up is retried, not parked', async () => {
  const { api, source, lines } = await setup();
  try {
    api.apply(svc('a'));
    api.startingUp(800);
    await source.start();
    assert.deepEqual(names(source), ['a']);
    assert.ok(!lines.some((l) => /treating it as empty/.test(l.msg)));
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('a never-listed kind still forbidden after the grace period is parked as empty, with an RBAC log line', async () => {
  const { api, source, lines } = await setup(500);
  try {
    api.apply(svc('a'));
    api.forbidden.add('/services');
    const started = Date.now();
    await source.start();
    assert.ok(Date.now() - started >= 450, 'retried for the grace period first');
    assert.deepEqual(names(source), []);
    const parked = lines.find((l) => /treating it as empty/.test(l.msg));
    assert.equal(parked?.kind, 'Service');
    assert.match(parked!.msg, /forbidden \(403\).*RBAC/);
  } finally {
    await source.stop();
    await api.stop();
  }
});
