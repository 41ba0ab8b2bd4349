import type { IncomingMessage } from 'node:http';
import { DEFAULT_PUSH_LIMITS, parsePushedConfig, type PushParseLimits } from '../../config/push-parse.js';
import type { ConfigErrorBody } from '../../config/types.js';
import type { Logger } from '../../lib/log.js';
import type { RawBody } from './http.js';
import type { AdminView } from './view.js';

/** MAX_CONFIG_BYTES: a 5,000-Service config is about 8-10 MB; far beyond that is refused with 413. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** PushAnswer: the HTTP status and body of a `POST /config`. */
export interface PushAnswer {
  status: 201 | 400 | 413;
  body: unknown;
}

/**
 * ConfigPushes runs `POST /config` bodies one at a time (so an older push never lands after a
 * newer one): the same bytes as the last accepted push, while that config is still live, are
 * answered at once; anything else is parsed, validated and hashed in a worker thread
 * (config/push-parse.ts) and only a valid, changed config touches the gateway, in one swap.
 */
export class ConfigPushes {
  private queue: Promise<unknown> = Promise.resolve();
  private lastAccepted: { digest: string; hash: string } | null = null;

  constructor(private readonly view: AdminView, private readonly log: Logger,
    private readonly limits: PushParseLimits = DEFAULT_PUSH_LIMITS) {}

  push(req: IncomingMessage, body: RawBody, flatten: boolean): Promise<PushAnswer> {
    const run = this.queue.then(() => this.handle(req, body, flatten));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(req: IncomingMessage, body: RawBody, flatten: boolean): Promise<PushAnswer> {
    const contentType = String(req.headers['content-type'] ?? '');
    const digest = `${contentType}|${body.sha256}`;
    const live = this.view.runtime.hash;
    if (this.lastAccepted?.digest === digest && this.lastAccepted.hash === live) {
      return { status: 201, body: { configuration_hash: live, changed: false } };
    }
    const started = performance.now();
    const outcome = await parsePushedConfig(body.bytes, contentType, live, this.limits, this.view.runtime.config);
    switch (outcome.type) {
      case 'too-large': return { status: 413, body: { message: outcome.message } };
      case 'malformed': return { status: 400, body: parseError(outcome.message, flatten) };
      case 'invalid': return { status: 400, body: flatten ? { ...outcome.error, flattened_errors: outcome.flat } : outcome.error };
      case 'unchanged':
        this.lastAccepted = { digest, hash: outcome.hash };
        return { status: 201, body: { configuration_hash: outcome.hash, changed: false } };
      case 'valid': {
        const parsedMs = performance.now() - started;
        const result = this.view.applyValidated(outcome.config, outcome.hash);
        if (!result.ok) return { status: 400, body: flatten ? { ...result.error, flattened_errors: result.flat } : result.error };
        this.lastAccepted = { digest, hash: result.hash };
        this.log.debug({ bytes: body.bytes.length, parsedMs: Math.round(parsedMs), appliedMs: Math.round(performance.now() - started - parsedMs) },
          'pushed config parsed off the event loop and applied');
        return { status: 201, body: { configuration_hash: result.hash, changed: result.changed } };
      }
    }
  }
}

function parseError(message: string, flatten: boolean): ConfigErrorBody & { flattened_errors?: unknown } {
  const body: ConfigErrorBody = {
    code: 14,
    name: 'invalid declarative configuration',
    message: `failed parsing declarative configuration: ${message}`,
    fields: {},
  };
  if (!flatten) return body;
  return { ...body, flattened_errors: [{ entity_type: 'config', errors: [{ type: 'entity', message }] }] };
}
