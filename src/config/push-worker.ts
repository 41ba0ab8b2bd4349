// Worker-thread entry of src/config/push-parse.ts: parses, validates and hashes one pushed config
// off the gateway's event loop, then hands the valid config back in slices (see CHUNK).
import { parentPort, workerData } from 'node:worker_threads';
import { hashConfig, hashService, hashUpstream } from './hash.js';
import { ConfigParseError, parseConfigText } from './load.js';
import type { PushRequest, PushReply } from './push-protocol.js';
import type { ServiceConfig, UpstreamConfig } from './types.js';
import { validateConfig } from './validate.js';

/**
 * CHUNK: entities per message. Deserializing a message costs the receiving thread time in one
 * piece; a few hundred entities cost it a few ms, so the gateway keeps serving between slices.
 */
const CHUNK = 250;

const port = parentPort!;
const request = workerData as PushRequest;
const send = (reply: PushReply): void => port.postMessage(reply);

try {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(request.body);
  const input = unwrap(parseConfigText(formField(text, request.contentType)));
  const result = validateConfig(input);
  if (!result.ok) {
    send({ type: 'invalid', error: result.error, flat: result.flat });
  } else {
    const hash = hashConfig(result.config);
    if (hash === request.currentHash) send({ type: 'unchanged', hash });
    else sendConfig(result.config as unknown as Record<string, unknown>, hash);
  }
} catch (err) {
  send({ type: 'malformed', message: err instanceof ConfigParseError || err instanceof Error ? err.message : String(err) });
}

/**
 * sendConfig posts the services and upstreams, then each other long top-level array, in slices,
 * then everything else with the hash. A service or upstream equal to a live one is sent as that
 * one's index: the controller's usual push changes one upstream of thousands, and deserializing
 * (then collecting) thousands of unchanged entities cost the gateway's event loop 100+ ms.
 */
function sendConfig(config: Record<string, unknown>, hash: string): void {
  const upstreams = (config.upstreams ?? []) as UpstreamConfig[];
  const services = (config.services ?? []) as ServiceConfig[];
  const upstreamHashes = upstreams.map(hashUpstream);
  const serviceHashes = services.map(hashService);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!Array.isArray(value) || value.length === 0) rest[key] = value;
    else if (key === 'services') sendSlices(key, services, serviceHashes, request.live.services);
    else if (key === 'upstreams') sendSlices(key, upstreams, upstreamHashes, request.live.upstreams);
    else if (value.length <= CHUNK) rest[key] = value;
    else sendSlices(key, value, null, []);
  }
  send({ type: 'valid', hash, rest, upstreamHashes, serviceHashes });
}

function sendSlices(key: string, items: readonly unknown[], hashes: readonly string[] | null, live: ReadonlyArray<string | null>): void {
  const liveIndex = new Map<string, number>();
  live.forEach((h, i) => h !== null && liveIndex.set(h, i));
  const encoded = hashes === null ? items : items.map((item, i) => liveIndex.get(hashes[i]!) ?? item);
  for (let i = 0; i < encoded.length; i += CHUNK) send({ type: 'slice', key, items: encoded.slice(i, i + CHUNK) });
}

/** formField: `curl -d config=...` sends the document as a urlencoded form field, as Kong accepts. */
function formField(body: string, contentType: string): string {
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return body;
  return new URLSearchParams(body).get('config') ?? body;
}

/** unwrap: Kong also takes the document as a string under `config` (its form-style body). */
function unwrap(parsed: unknown): unknown {
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.config === 'string' && obj._format_version === undefined) return parseConfigText(obj.config);
  }
  return parsed;
}
