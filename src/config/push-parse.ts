import { Worker } from 'node:worker_threads';
import { knownHash, rememberHashes } from './hash.js';
import type { PushReply, PushRequest } from './push-protocol.js';
import type { ConfigErrorBody, FlatConfigError, GatewayConfig, ServiceConfig, UpstreamConfig } from './types.js';

/** PushOutcome: what became of a pushed config body. */
export type PushOutcome =
  | { type: 'valid'; config: GatewayConfig; hash: string }
  | { type: 'unchanged'; hash: string }
  | { type: 'invalid'; error: ConfigErrorBody; flat: FlatConfigError[] }
  | { type: 'malformed'; message: string }
  | { type: 'too-large'; message: string };

export interface PushParseLimits {
  /** Parsing + validation taking longer than this is abandoned (a pathological YAML document). */
  timeoutMs: number;
  /** Heap of the worker: a document that expands beyond it (alias bomb) kills the worker, not the gateway. */
  maxHeapMb: number;
}

export const DEFAULT_PUSH_LIMITS: PushParseLimits = { timeoutMs: 60_000, maxHeapMb: 1024 };

/**
 * workerEntry: built, the .js next to this file. Under tsx (tests run the sources) a worker does
 * not inherit tsx's loader hooks, so a small trampoline registers them before importing the .ts.
 */
function workerEntry(): { entry: string | URL; evaluated: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./push-worker.js', import.meta.url), evaluated: false };
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const source = JSON.stringify(new URL('./push-worker.ts', import.meta.url).href);
  return { entry: `import(${api}).then((tsx) => { tsx.register(); return import(${source}); })`, evaluated: true };
}

const WORKER = workerEntry();

/**
 * parsePushedConfig parses, validates and hashes a pushed config body in a worker thread, so a
 * multi-megabyte config never stalls proxying; the valid config comes back in slices (one message
 * per few hundred entities) that are reassembled here between other work. One worker per push:
 * whatever a hostile document does to it (heap, time) ends with it.
 */
export function parsePushedConfig(body: Uint8Array, contentType: string, currentHash: string,
  limits: PushParseLimits = DEFAULT_PUSH_LIMITS, live: GatewayConfig | null = null): Promise<PushOutcome> {
  // The live arrays are never mutated (dataplane/runtime.ts), so indexes into them stay valid
  // even if another config goes live while the worker runs.
  const liveServices = live?.services ?? [];
  const liveUpstreams = live?.upstreams ?? [];
  const worker = startWorker(body, contentType, currentHash, liveServices, liveUpstreams, limits);
  return new Promise<PushOutcome>((resolve) => {
    const slices = new Map<string, unknown[]>();
    let settled = false;
    const finish = (outcome: PushOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ type: 'malformed', message: `parsing took longer than ${limits.timeoutMs} ms` }), limits.timeoutMs);
    worker.on('message', (reply: PushReply) => {
      if (reply.type === 'slice') addSlice(slices, reply.key, reply.items);
      else if (reply.type === 'valid') finish({ type: 'valid', config: assemble(reply, slices, liveServices, liveUpstreams), hash: reply.hash });
      else finish(reply);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      finish(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? { type: 'too-large', message: `config expands beyond ${limits.maxHeapMb} MB when parsed` }
        : { type: 'malformed', message: err.message });
    });
    worker.on('exit', (code) => finish({ type: 'malformed', message: `config parser exited (${code})` }));
  });
}

/** startWorker hands the worker a copy of the body (transferred, not cloned) and the live entities' known digests. */
function startWorker(body: Uint8Array, contentType: string, currentHash: string, liveServices: readonly ServiceConfig[],
  liveUpstreams: readonly UpstreamConfig[], limits: PushParseLimits): Worker {
  const copy = new Uint8Array(body);
  const request: PushRequest = {
    body: copy, contentType, currentHash,
    live: { services: liveServices.map(knownOrNull), upstreams: liveUpstreams.map(knownOrNull) },
  };
  return new Worker(WORKER.entry, {
    eval: WORKER.evaluated,
    workerData: request,
    transferList: [copy.buffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
  });
}

function addSlice(slices: Map<string, unknown[]>, key: string, items: readonly unknown[]): void {
  let list = slices.get(key);
  if (!list) slices.set(key, (list = []));
  for (const item of items) list.push(item);
}

/** assemble: the valid config from the worker's slices, live entities put back and digests remembered. */
function assemble(reply: Extract<PushReply, { type: 'valid' }>, slices: Map<string, unknown[]>,
  liveServices: readonly ServiceConfig[], liveUpstreams: readonly UpstreamConfig[]): GatewayConfig {
  resolveLive(slices.get('services'), liveServices);
  resolveLive(slices.get('upstreams'), liveUpstreams);
  const config = { ...reply.rest, ...Object.fromEntries(slices) } as unknown as GatewayConfig;
  rememberHashes(config.upstreams ?? [], reply.upstreamHashes);
  rememberHashes(config.services ?? [], reply.serviceHashes);
  return config;
}

/** knownOrNull: only digests already at hand are offered; hashing the live config here would stall. */
function knownOrNull(entity: object): string | null {
  return knownHash(entity) ?? null;
}

/** resolveLive replaces the worker's indexes (entities equal to live ones) by those live objects. */
function resolveLive(items: unknown[] | undefined, live: readonly object[]): void {
  if (items === undefined) return;
  for (let i = 0; i < items.length; i++) if (typeof items[i] === 'number') items[i] = live[items[i] as number];
}
