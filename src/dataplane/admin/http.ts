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
 * Past the limit it drops the rest (see discard) and lets the caller answer; the connection
 * closes after the answer.
 */
export function readRawBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<RawBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    discard(req);
    return Promise.reject(tooLarge(res, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        discard(req);
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

/**
 * discard reads and drops the rest of a refused body, so the client can finish sending and read
 * the 413 (closing at once makes its next write fail with EPIPE before it sees the answer); a
 * client that keeps sending is cut off after DISCARD_MS.
 */
const DISCARD_MS = 5000;

function discard(req: IncomingMessage): void {
  req.resume();
  setTimeout(() => req.socket.destroy(), DISCARD_MS).unref();
}

function tooLarge(res: ServerResponse, limit: number): BodyTooLarge {
  res.setHeader('Connection', 'close');
  return new BodyTooLarge(`body larger than ${limit} bytes`);
}

/** kongList: Kong's paginated list shape (berth returns everything in one page). */
export function kongList<T>(data: T[]): { data: T[]; next: null } {
  return { data, next: null };
}
