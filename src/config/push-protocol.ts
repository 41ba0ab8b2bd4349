import type { ConfigErrorBody, FlatConfigError } from './types.js';

/** PushRequest: what the admin API hands the push worker (see push-worker.ts). */
export interface PushRequest {
  body: Uint8Array;
  contentType: string;
  /** The live configuration_hash: a config that hashes the same is reported unchanged, not sent back. */
  currentHash: string;
  /**
   * Digests of the live config's services and upstreams (null where not known): an entity that
   * hashes like one of them comes back as its index instead of its content (see PushReply slice).
   */
  live: { services: Array<string | null>; upstreams: Array<string | null> };
}

/** PushReply: the worker's messages; `slice`s come first, then exactly one of the others. */
export type PushReply =
  /** Items of a top-level array; in `services` and `upstreams` a number is the index of an equal live entity. */
  | { type: 'slice'; key: string; items: unknown[] }
  | { type: 'valid'; hash: string; rest: Record<string, unknown>; upstreamHashes: string[]; serviceHashes: string[] }
  | { type: 'unchanged'; hash: string }
  | { type: 'invalid'; error: ConfigErrorBody; flat: FlatConfigError[] }
  | { type: 'malformed'; message: string };
