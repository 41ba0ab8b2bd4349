import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** sendJson writes a JSON response (Kong's admin API is JSON throughout). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

export function notFound(res: ServerResponse): void {
  sendJson(res, 404, { message: 'Not found' });
}

export class BodyTooLarge extends Error {}

/** RawBody: a request body as bytes plus its SHA-256, computed chunk by chunk as it arrived. */
export interface RawBody {
  bytes: Buffer;
  sha256: string;
}

/**
 * readRawBody collects up to `limit` bytes (413 before reading when Content-Length says more).
 * Past the limit it stops reading and lets the caller answer; the connection is closed after
 * the answer since the rest of the body was never read.
 */
export function readRawBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<RawBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(res, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(res, limit));
        return;
      }
      hash.update(chunk);
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') }));
    req.on('error', reject);
  });
}

function tooLarge(res: ServerResponse, limit: number): BodyTooLarge {
  res.setHeader('Connection', 'close');
  return new BodyTooLarge(`body larger than ${limit} bytes`);
}

/** kongList: Kong's paginated list shape (berth returns everything in one page). */
export function kongList<T>(data: T[]): { data: T[]; next: null } {
  return { data, next: null };
}
