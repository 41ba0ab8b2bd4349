import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, truncate, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Logger } from '../../lib/log.js';
import type { KubeObject } from '../types.js';
import { createFolderSource } from './folder.js';
import type { ObjectSource } from './source.js';

/** A logger that keeps its lines so tests can check what the user would read. */
function memoryLogger(): { log: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const find = (src: ObjectSource, kind: string, name: string): KubeObject | undefined =>
  src.objects().find((o) => o.kind === kind && o.metadata.name === name);

const svc = (name: string, port: number) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: kong\nspec:\n  ports:\n  - port: ${port}\n`;

describe('folder source', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-folder-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reads multi-document YAML, JSON and List files recursively with defaults filled in', async () => {
    const d = await mkdtemp(join(dir, 'read-'));
    await mkdir(join(d, 'nested'));
    await writeFile(join(d, 'a.yaml'), `${svc('one', 80)}---\n${svc('two', 81)}---\n`);
    await writeFile(join(d, 'nested', 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong', namespace: 'x' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
    ] }));
    await writeFile(join(d, 'notes.txt'), 'not: a manifest');
    await writeFile(join(d, '.hidden.yaml'), svc('hidden', 1));
    const { log } = memoryLogger();
    const src = createFolderSource(d, log);
    await src.start();
    try {
      assert.equal(src.synced, true);
      assert.deepEqual(src.objects().map((o) => o.metadata.name).sort(), ['kong', 'one', 's', 'two']);
      assert.equal(find(src, 'GatewayClass', 'kong')!.metadata.namespace, undefined);
      assert.equal(find(src, 'Secret', 's')!.metadata.namespace, 'default');
      const one = find(src, 'Service', 'one')!;
      assert.match(one.metadata.uid!, /^[0-9a-f]{8}-/);
      assert.match(one.metadata.resourceVersion!, /^[0-9a-f]{16}$/);
    } finally {
      await src.stop();
    }
  });

  it('sees edits, additions and deletions; uid stays, resourceVersion follows the content', async () => {
    const d = await mkdtemp(join(dir, 'watch-'));
    await writeFile(join(d, 'svc.yaml'), svc('echo', 80));
    const { log } = memoryLogger();
    const src = createFolderSource(d, log);
    let changes = 0;
    src.onChange(() => changes++);
    await src.start();
    try {
      const first = find(src, 'Service', 'echo')!;
      await writeFile(join(d, 'svc.yaml'), svc('echo', 81));
      await until('the edit', () => find(src, 'Service', 'echo')?.spec.ports[0].port === 81);
      const second = find(src, 'Service', 'echo')!;
      assert.equal(second.metadata.uid, first.metadata.uid);
      assert.notEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);
      await writeFile(join(d, 'more.yml'), svc('more', 1));
      await until('the new file', () => find(src, 'Service', 'more') !== undefined);
      await unlink(join(d, 'more.yml'));
      await until('the deletion', () => find(src, 'Service', 'more') === undefined);
      assert.ok(changes >= 3, `expected a change notification per edit, got ${changes}`);
    } finally {
      await src.stop();
    }
  });

  it('keeps a malformed file\'s last good objects and names the file and line', async () => {
    const d = await mkdtemp(join(dir, 'bad-'));
    await writeFile(join(d, 'svc.yaml'), svc('echo', 80));
    const { log, lines } = memoryLogger();
    const src = createFolderSource(d, log);
    await src.start();
    try {
      await writeFile(join(d, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [echo\n  x: }\n');
      await until('the parse error', () => lines.some((l) => l.level === 50 && /svc\.yaml:\d+/.test(l.msg)));
      assert.equal(find(src, 'Service', 'echo')?.spec.ports[0].port, 80);
      await writeFile(join(d, 'svc.yaml'), svc('echo', 82));
      await until('the fixed file', () => find(src, 'Service', 'echo')?.spec.ports[0].port === 82);
    } finally {
      await src.stop();
    }
  });

  it('skips objects without apiVersion/kind/name with a warning; a later file overrides an earlier one', async () => {
    const d = await mkdtemp(join(dir, 'skip-'));
    await writeFile(join(d, 'a.yaml'), `kind: Service\nmetadata:\n  name: x\n---\n${svc('dup', 1)}`);
    await writeFile(join(d, 'b.yaml'), `- 1\n---\n${svc('dup', 2)}`);
    const { log, lines } = memoryLogger();
    const src = createFolderSource(d, log);
    await src.start();
    try {
      assert.deepEqual(src.objects().map((o) => o.metadata.name), ['dup']);
      assert.equal(find(src, 'Service', 'dup')!.spec.ports[0].port, 2);
      assert.ok(lines.some((l) => /a\.yaml document 1: skipped: apiVersion missing/.test(l.msg)));
      assert.ok(lines.some((l) => /b\.yaml document 1: skipped: not a mapping/.test(l.msg)));
      assert.ok(lines.some((l) => l.msg.includes('duplicate object') && l.object === 'Service/kong/dup'));
    } finally {
      await src.stop();
    }
  });

  it('a file cut short keeps the objects it lost until it stays unchanged; a write that follows late is read whole', async () => {
    const d = await mkdtemp(join(dir, 'truncate-'));
    const file = join(d, 'svc.yaml');
    await writeFile(file, `${svc('echo', 80)}---\n${svc('other', 90)}`);
    const { log } = memoryLogger();
    const src = createFolderSource(d, log, { lossSettleMs: 400 });
    let changes = 0;
    src.onChange(() => changes++);
    await src.start();
    try {
      // What `cp` or writeFile leaves while the writer is descheduled between its steps.
      await truncate(file);
      await new Promise((r) => setTimeout(r, 150)); // far past the watch debounce and settle time
      assert.equal(find(src, 'Service', 'echo')?.spec.ports[0].port, 80, 'the objects stayed while the file was empty');
      await writeFile(file, svc('echo', 80)); // the first document only, as a cut write leaves it
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(find(src, 'Service', 'other')?.spec.ports[0].port, 90, 'the second object stayed while the file was cut');
      assert.equal(changes, 0);
      await writeFile(file, `${svc('echo', 81)}---\n${svc('other', 90)}`);
      await until('the written file', () => find(src, 'Service', 'echo')?.spec.ports[0].port === 81);
      assert.equal(changes, 1, 'a change that loses nothing takes effect at once');

      const cutAt = Date.now();
      await writeFile(file, svc('echo', 81));
      await until('the object removed on purpose', () => find(src, 'Service', 'other') === undefined);
      assert.ok(Date.now() - cutAt >= 350, `dropped after ${Date.now() - cutAt} ms`);
      const emptiedAt = Date.now();
      await truncate(file);
      await until('the file emptied on purpose', () => find(src, 'Service', 'echo') === undefined);
      assert.ok(Date.now() - emptiedAt >= 350, `dropped after ${Date.now() - emptiedAt} ms`);
    } finally {
      await src.stop();
    }
  });

  it('converges by periodic rescan even without watch events', async () => {
    const d = await mkdtemp(join(dir, 'rescan-'));
    await writeFile(join(d, 'svc.yaml'), svc('echo', 80));
    const { log } = memoryLogger();
    const src = createFolderSource(d, log, { rescanMs: 50, debounceMs: 60_000 });
    await src.start();
    try {
      await writeFile(join(d, 'svc.yaml'), svc('echo', 9090));
      await until('the rescan', () => find(src, 'Service', 'echo')?.spec.ports[0].port === 9090);
    } finally {
      await src.stop();
    }
  });

  it('fails to start on a missing folder with its path in the message', async () => {
    const src = createFolderSource(join(dir, 'nope'), memoryLogger().log);
    await assert.rejects(src.start(), /nope/);
  });
});
