import { createHash } from 'node:crypto';
import type { GatewayConfig, ServiceConfig, UpstreamConfig } from './types.js';

/**
 * hashUpstream: a stable digest of one upstream (object key order does not matter, array order
 * does), so a reload can keep an unchanged upstream's balancer and health checker as they are.
 */
export function hashUpstream(u: UpstreamConfig): string {
  return hashEntity(u);
}

/**
 * hashService: a stable digest of one service with its routes and plugins, so a reload can keep
 * an unchanged service's compiled routes (and the whole router when no service changed).
 */
export function hashService(s: ServiceConfig): string {
  return hashEntity(s);
}

/**
 * known: digests of entity objects, computed elsewhere (the config push worker) or here once.
 * A validated config is never mutated (dataplane/runtime.ts), so a digest stays true for its object.
 */
const known = new WeakMap<object, string>();

function hashEntity(entity: object): string {
  let h = known.get(entity);
  if (h === undefined) known.set(entity, (h = digest(entity)));
  return h;
}

/** knownHash: the digest of an entity if it was already computed or remembered, without hashing. */
export function knownHash(entity: object): string | undefined {
  return known.get(entity);
}

/**
 * rememberHashes records digests the push worker computed for `entities`, in order, so the event
 * loop does not hash thousands of upstreams or services again when the config is applied.
 */
export function rememberHashes(entities: readonly object[], hashes: readonly string[]): void {
  if (entities.length !== hashes.length) return;
  for (let i = 0; i < entities.length; i++) known.set(entities[i]!, hashes[i]!);
}

/** hashConfig: a stable digest of a whole config; the controller skips pushes when it is unchanged. */
export function hashConfig(c: GatewayConfig): string {
  return digest(c);
}

function digest(value: unknown): string {
  const sink: Sink = { h: createHash('sha256'), text: '' };
  feed(sink, value);
  sink.h.update(sink.text);
  return sink.h.digest('hex').slice(0, 32);
}

/**
 * Sink batches the canonical text before hashing: one Hash.update per 64 kB instead of one per
 * token (a 5,000-upstream config made a million native calls, seconds on the event loop). The bytes
 * hashed, and so every digest, are the same as token by token.
 */
interface Sink {
  h: ReturnType<typeof createHash>;
  text: string;
}

const FLUSH_AT = 64 * 1024;

function put(sink: Sink, part: string): void {
  sink.text += part;
  if (sink.text.length >= FLUSH_AT) {
    sink.h.update(sink.text);
    sink.text = '';
  }
}

/** feed streams a canonical form into the hash instead of building one big string. */
function feed(sink: Sink, value: unknown): void {
  if (value === null || value === undefined) {
    put(sink, 'n;');
  } else if (Array.isArray(value)) {
    put(sink, '[');
    for (const item of value) feed(sink, item);
    put(sink, ']');
  } else if (typeof value === 'object') {
    put(sink, '{');
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] === undefined) continue; // an absent and an undefined field are the same config
      put(sink, JSON.stringify(key));
      put(sink, ':');
      feed(sink, obj[key]);
    }
    put(sink, '}');
  } else {
    put(sink, `${typeof value}:${JSON.stringify(value)};`);
  }
}
