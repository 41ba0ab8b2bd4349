import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Controller } from '../controller.js';
import { MemoryStatusSink } from '../memory-status.js';
import type { ObjectSource } from '../sources/source.js';
import { IncrementalTranslator } from '../translator/index.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../types.js';

/** A source whose objects the test sets directly. */
class ListSource implements ObjectSource {
  objectsNow: KubeObject[] = [];
  synced = true;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  objects(): KubeObject[] {
    return this.objectsNow;
  }
  onChange(): void {}
}

const service = (name: string, protocol: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'kong', uid: `uid-${name}`, annotations: { 'konghq.com/protocol': protocol } },
  spec: { ports: [{ port: 80 }] },
});

/** ingress routes /echo and /other to the two Services, so the translator reads their annotations. */
const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'kong', uid: 'uid-web' },
  spec: {
    ingressClassName: 'kong',
    rules: [{ http: { paths: ['echo', 'other'].map((name) => ({
      path: `/${name}`, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } },
    })) } }],
  },
};

test('each Warning event is one warn log line naming kind, namespace/name and reason, once per change', async () => {
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const source = new ListSource();
  const controller = new Controller({
    source, translator: new IncrementalTranslator(DEFAULT_TRANSLATE_OPTIONS), configSinks: [],
    statusSink: new MemoryStatusSink(), log,
  });
  const warnings = () => lines.filter((l) => l.level === 40 && l.reason !== undefined);
  source.objectsNow = [ingress, service('echo', 'ftp'), service('other', 'http')];
  await controller.start();
  assert.equal(warnings().length, 1);
  const [first] = warnings();
  assert.deepEqual([first!.kind, first!.namespace, first!.name, first!.reason], ['Service', 'kong', 'echo', 'KongConfigurationTranslationFailed']);
  assert.match(first!.msg, /^Service kong\/echo: KongConfigurationTranslationFailed/);

  // Re-translations that still report the same warning do not repeat it.
  source.objectsNow = [ingress, service('echo', 'ftp'), service('other', 'https')];
  await controller.sync();
  await controller.sync();
  assert.equal(warnings().length, 1);

  // Fixed, then broken again: a new occurrence, logged again.
  source.objectsNow = [ingress, service('echo', 'http'), service('other', 'https')];
  await controller.sync();
  source.objectsNow = [ingress, service('echo', 'gopher'), service('other', 'https')];
  await controller.sync();
  assert.equal(warnings().length, 2);
  assert.match(warnings()[1]!.message, /gopher/);
  await controller.stop();
});
