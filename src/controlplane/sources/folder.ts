import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { Logger } from '../../lib/log.js';
import type { KubeObject } from '../types.js';
import { objectKey, parseManifestText } from './manifests.js';
import type { ObjectSource } from './source.js';

/** FolderSourceOptions tunes the watcher; tests shorten the rescan period. */
export interface FolderSourceOptions {
  /** Wait this long after the last file event before reading (editors write in several steps). */
  debounceMs?: number;
  /** Full rescan period comparing mtimes, so missed watch events still converge. */
  rescanMs?: number;
  /** How long a file that lost objects must stay unchanged before they are dropped. */
  lossSettleMs?: number;
}

interface FileEntry {
  mtimeMs: number;
  size: number;
  /** The last objects this file parsed to; kept while the file is malformed. */
  objects: KubeObject[];
  /** Set while the file on disk is malformed, so the error is logged once per edit. */
  failedAt?: { mtimeMs: number; size: number };
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/**
 * A file modified this recently may be half written (`cp` truncates, then writes): reading it now
 * would parse a cut value or log a parse error for a file that is fine a moment later (objects it
 * would drop are held longer still: LOSS_SETTLE_MS). Watch events are already debounced longer
 * than this, so it adds no latency to them.
 */
const SETTLE_MS = 10;
/**
 * `cp`, `cat >` and node's writeFile truncate the file and write it in one or more steps after;
 * on a busy machine the writer can be descheduled in between for longer than any settle time, and
 * a file read then (empty, or cut after its first documents) would drop the objects still to come
 * (a Service's endpoints gone: 503 for all its clients). So new content that lost objects is
 * believed (all of it) once the file has stayed unchanged this long; content that loses nothing
 * takes effect at once, and so does deleting the file (atomic).
 */
const LOSS_SETTLE_MS = 1000;

/**
 * createFolderSource serves the manifests under dir (recursively) as if they were in a cluster.
 * A malformed file keeps its last good objects; later files (in path order) override earlier
 * ones for the same kind/namespace/name.
 */
export function createFolderSource(dir: string, log: Logger, options: FolderSourceOptions = {}): ObjectSource {
  return new FolderSource(dir, log, options.debounceMs ?? 15, options.rescanMs ?? 2000, options.lossSettleMs ?? LOSS_SETTLE_MS);
}

class FolderSource implements ObjectSource {
  #files = new Map<string, FileEntry>();
  #merged: KubeObject[] = [];
  #signature = '';
  #listeners: Array<() => void> = [];
  #watcher: FSWatcher | undefined;
  #rescanTimer: NodeJS.Timeout | undefined;
  #debounceTimer: NodeJS.Timeout | undefined;
  #lossTimer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #rescanRequested = false;
  #stopped = false;
  synced = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly debounceMs: number,
    private readonly rescanMs: number,
    private readonly lossSettleMs: number,
  ) {}

  async start(): Promise<void> {
    await stat(this.dir).catch((err: Error) => {
      throw new Error(`manifests folder ${this.dir}: ${err.message}`);
    });
    await this.#scan(false); // at start-up there is no last good state to protect: read what is there
    this.synced = true;
    this.#watch();
    this.#rescanTimer = setInterval(() => this.#requestScan(), this.rescanMs);
    this.#rescanTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    clearInterval(this.#rescanTimer);
    clearTimeout(this.#debounceTimer);
    clearTimeout(this.#lossTimer);
    await this.#scanning;
  }

  objects(): KubeObject[] {
    return this.#merged;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.dir, { recursive: true }, () => this.#onFileEvent());
      this.#watcher.on('error', (err) => this.log.warn({ err, dir: this.dir }, 'manifest watch failed; rescanning periodically'));
    } catch (err) {
      this.log.warn({ err, dir: this.dir }, 'cannot watch manifests folder; rescanning periodically');
    }
  }

  #onFileEvent(): void {
    clearTimeout(this.#debounceTimer);
    this.#debounceTimer = setTimeout(() => this.#requestScan(), this.debounceMs);
  }

  /** #requestScan never runs two scans at once; a request during a scan runs one more after it. */
  #requestScan(): void {
    if (this.#stopped) return;
    if (this.#scanning) {
      this.#rescanRequested = true;
      return;
    }
    this.#scanning = this.#scan()
      .catch((err) => this.log.error({ err, dir: this.dir }, 'manifest scan failed'))
      .finally(() => {
        this.#scanning = undefined;
        if (this.#rescanRequested) {
          this.#rescanRequested = false;
          this.#requestScan();
        }
      });
  }

  async #scan(settle = true): Promise<void> {
    const paths = await listManifestFiles(this.dir);
    const present = new Set(paths);
    let changed = false;
    for (const path of this.#files.keys()) {
      if (!present.has(path)) changed = this.#files.delete(path) || changed;
    }
    for (const path of paths) changed = (await this.#refreshFile(path, settle)) || changed;
    if (changed) this.#merge();
  }

  /** #refreshFile re-reads one file when its mtime or size moved; true when its objects changed. */
  async #refreshFile(path: string, settle: boolean): Promise<boolean> {
    const before = await stat(path).catch(() => undefined);
    if (!before) return false;
    const entry = this.#files.get(path);
    const seen = entry?.failedAt ?? entry;
    if (seen && seen.mtimeMs === before.mtimeMs && seen.size === before.size) return false;
    const age = Date.now() - before.mtimeMs;
    if (settle && age >= 0 && age < SETTLE_MS) {
      this.#requestScanSoon(); // may be mid-write (truncated, half written): read it once it is still
      return false;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    const after = await stat(path).catch(() => undefined);
    if (text === undefined || !after || after.mtimeMs !== before.mtimeMs || after.size !== before.size) {
      this.#requestScanSoon(); // written while we read: read it again once it settles
      return false;
    }
    return this.#parseInto(path, text, { mtimeMs: after.mtimeMs, size: after.size }, entry, settle);
  }

  #parseInto(path: string, text: string, stamp: { mtimeMs: number; size: number }, entry: FileEntry | undefined, settle: boolean): boolean {
    const file = relative(this.dir, path) || path;
    try {
      const parsed = parseManifestText(file, text);
      const age = Date.now() - stamp.mtimeMs;
      if (settle && age >= 0 && age < this.lossSettleMs && losesObjects(entry?.objects ?? [], parsed.objects)) {
        this.#requestScanAfter(this.lossSettleMs - age); // may be cut short mid-write: see LOSS_SETTLE_MS
        return false;
      }
      for (const warning of parsed.warnings) this.log.warn({ file }, warning);
      this.#files.set(path, { ...stamp, objects: parsed.objects });
      return true;
    } catch (err) {
      const kept = entry?.objects.length ?? 0;
      this.log.error({ file, kept }, `${(err as Error).message} (keeping the last good objects of this file: ${kept})`);
      this.#files.set(path, { mtimeMs: entry?.mtimeMs ?? -1, size: entry?.size ?? -1, objects: entry?.objects ?? [], failedAt: stamp });
      return false;
    }
  }

  #requestScanSoon(): void {
    this.#onFileEvent();
  }

  #requestScanAfter(ms: number): void {
    clearTimeout(this.#lossTimer);
    this.#lossTimer = setTimeout(() => this.#requestScan(), ms);
  }

  /** #merge builds the object list in path order; a later file's object replaces an earlier one. */
  #merge(): void {
    const byKey = new Map<string, { obj: KubeObject; path: string }>();
    for (const path of [...this.#files.keys()].sort()) {
      for (const obj of this.#files.get(path)!.objects) {
        const key = objectKey(obj);
        const previous = byKey.get(key);
        if (previous) this.log.warn({ object: key, file: relative(this.dir, path), overrides: relative(this.dir, previous.path) }, 'duplicate object; the later file wins');
        byKey.set(key, { obj, path });
      }
    }
    const merged = [...byKey.values()].map((v) => v.obj);
    const signature = merged.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion}`).sort().join('\n');
    if (signature === this.#signature) return;
    this.#merged = merged;
    this.#signature = signature;
    if (this.synced) this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'manifest change listener failed');
      }
    }
  }
}

/** listManifestFiles walks dir for *.yaml, *.yml and *.json, skipping dot-files (editor temp files). */
async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile() || !MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (relative(dir, path).split(sep).some((part) => part.startsWith('.'))) continue;
    out.push(path);
  }
  return out.sort();
}

/** losesObjects: some object of the file's last good parse is missing from the new one. */
function losesObjects(previous: KubeObject[], next: KubeObject[]): boolean {
  if (previous.length === 0) return false;
  const nextKeys = new Set(next.map(objectKey));
  return previous.some((obj) => !nextKeys.has(objectKey(obj)));
}
