import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../config/types.js';
import { silentLogger } from '../lib/log.js';
import { Controller, type SnapshotTranslator } from './controller.js';
import { MemoryStatusSink } from './memory-status.js';
import type { ConfigSink } from './sinks.js';
import type { Snapshot } from './snapshot.js';
import type { ObjectSource } from './sources/source.js';
import type { KubeObject, TranslateResult } from './types.js';

/** A source whose objects the test sets directly. */
class ListSource implements ObjectSource {
  #objects: KubeObject[] = [];
  #listeners: Array<() => void> = [];
  synced = false;
  async start(): Promise<void> {
    this.synced = true;
  }
  async stop(): Promise<void> {}
  objects(): KubeObject[] {
    return this.#objects;
  }
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }
  set(...names: string[]): void {
    this.#objects = names.map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' } }));
    this.#listeners.forEach((l) => l());
  }
}

/** Translates each Service into one upstream of the same name; records overlapping calls. */
class ServiceTranslator implements SnapshotTranslator {
  calls = 0;
  active = 0;
  maxActive = 0;
  update(snapshot: Snapshot): TranslateResult {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const names = snapshot.list('Service').map((s) => s.metadata.name);
    this.active--;
    const config: GatewayConfig = { _format_version: '3.0', upstreams: names.map((name) => ({ name })) as GatewayConfig['upstreams'] };
    return {
      config,
      statuses: names.map((name) => ({ ref: { apiVersion: 'v1', kind: 'Service', namespace: 'default', name }, status: { seen: true } })),
      events: [],
    };
  }
}

/** A sink that records pushes, takes its time, and can be told to fail. */
class RecordingSink implements ConfigSink {
  pushes: string[][] = [];
  failuresLeft = 0;
  delayMs = 0;
  async push(config: GatewayConfig): Promise<void> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('replica unreachable');
    }
    this.pushes.push((config.upstreams ?? []).map((u) => u.name));
  }
  last(): string[] | undefined {
    return this.pushes.at(-1);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(debounceMs = 10) {
  const source = new ListSource();
  const translator = new ServiceTranslator();
  const sink = new RecordingSink();
  const status = new MemoryStatusSink();
  const controller = new Controller({ source, translator, configSinks: [sink], statusSink: status, log: silentLogger(), debounceMs, retryMs: 20 });
  return { source, translator, sink, status, controller };
}

describe('Controller', () => {
  it('translates once on start, before resolving, and publishes statuses', async () => {
    const { source, sink, status, controller, translator } = setup();
    source.set('a');
    await controller.start();
    assert.deepEqual(sink.last(), ['a']);
    assert.equal(translator.calls, 1);
    assert.deepEqual(status.statuses().map((s) => s.ref.name), ['a']);
    assert.ok(controller.lastAppliedAt > 0);
    assert.deepEqual(controller.lastResult?.config.upstreams?.map((u) => u.name), ['a']);
    await controller.stop();
  });

  it('never translates a partial view while the source is still loading', async () => {
    const { source, sink, controller, translator } = setup(1);
    // A cluster source reports each kind as it is listed; the first full view comes later.
    const fullStart = source.start.bind(source);
    source.start = async () => {
      source.set('route');
      await new Promise((r) => setTimeout(r, 30));
      source.set('route', 'policy');
      await fullStart();
    };
    await controller.start();
    assert.equal(translator.calls, 1);
    assert.deepEqual(sink.pushes, [['route', 'policy']]);
    await controller.stop();
  });

  it('coalesces a burst of changes into few translations and the latest objects win', async () => {
    const { source, sink, controller, translator } = setup(20);
    await controller.start();
    sink.delayMs = 15;
    for (let i = 0; i < 50; i++) source.set(`s${i}`);
    await until('the last change', () => sink.last()?.[0] === 's49');
    assert.ok(translator.calls <= 3, `expected the burst coalesced, got ${translator.calls} translations`);
    assert.equal(translator.maxActive, 1);
    await controller.stop();
  });

  it('changes during a slow push are folded into one more round, never run concurrently', async () => {
    const { source, sink, controller } = setup(1);
    await controller.start();
    sink.delayMs = 40;
    source.set('x');
    await new Promise((r) => setTimeout(r, 10)); // the push of x is in flight
    source.set('y');
    source.set('z');
    await until('z', () => sink.last()?.[0] === 'z');
    assert.deepEqual(sink.pushes.slice(1).map((p) => p[0]), ['x', 'z']);
    await controller.stop();
  });

  it('retries a failing sink with backoff until it accepts the config', async () => {
    const { source, sink, controller } = setup();
    sink.failuresLeft = 3;
    source.set('a');
    await controller.start();
    assert.equal(sink.pushes.length, 0);
    assert.equal(controller.lastAppliedAt, 0);
    await until('the retried push', () => sink.last()?.[0] === 'a');
    assert.equal(sink.failuresLeft, 0);
    await until('applied', () => controller.lastAppliedAt > 0);
    await controller.stop();
  });

  it('keeps the last good result when translation throws, and recovers on the next change', async () => {
    const { source, sink, controller, translator } = setup();
    source.set('good');
    await controller.start();
    const original = translator.update.bind(translator);
    translator.update = () => {
      throw new Error('translator bug');
    };
    source.set('bad');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sink.last(), ['good']);
    translator.update = original;
    source.set('fixed');
    await until('recovery', () => sink.last()?.[0] === 'fixed');
    await controller.stop();
  });
});
