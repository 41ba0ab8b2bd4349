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

/** readBody collects a request body up to `limit` bytes (config documents, not streams). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** kongList: Kong's paginated list shape (berth returns everything in one page). */
export function kongList<T>(data: T[]): { data: T[]; next: null } {
  return { data, next: null };
}
