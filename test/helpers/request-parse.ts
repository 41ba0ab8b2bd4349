// Drives the lean HTTP/1.1 request parser over a byte stream cut at given points, the way the
// server does (one message at a time, reset between them), and records what it accepted.
import type { IncomingHttpHeaders } from 'node:http';
import { foldHeaders } from '../../src/dataplane/http1/incoming-headers.js';
import type { RequestHead } from '../../src/dataplane/http1/request-head.js';
import { RequestParser } from '../../src/dataplane/http1/request-parser.js';

export interface ParsedMessage {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * How the stream ended: `clean` between messages, `close` after a message that does not keep the
 * connection (the rest is never read), `incomplete` inside one, `error` refused (with `status`),
 * `upgrade` after the head of an upgrade or CONNECT (the last message).
 */
export interface ParseOutcome {
  messages: ParsedMessage[];
  end: 'clean' | 'close' | 'incomplete' | 'error' | 'upgrade';
  status?: number;
}

export function parseStream(wire: Buffer, cuts: readonly number[] = []): ParseOutcome {
  const messages: ParsedMessage[] = [];
  let current: ParsedMessage | null = null;
  let head: RequestHead | null = null;
  const parser = new RequestParser({
    onRequestHead(h) {
      head = h;
      current = { method: h.method, url: h.url, httpVersion: h.httpVersion, rawHeaders: h.rawHeaders, headers: foldHeaders(h.rawHeaders), body: '' };
    },
    onRequestBody(chunk) {
      current!.body += chunk.toString('latin1');
    },
    onRequestEnd() {
      messages.push(current!);
    },
  });
  const points = [...new Set([...cuts.filter((c) => c > 0 && c < wire.length), wire.length])].sort((a, b) => a - b);
  let from = 0;
  for (const to of points) {
    const piece = wire.subarray(from, to);
    from = to;
    let pos = 0;
    while (pos < piece.length) {
      const next = parser.execute(piece, pos);
      if (next < 0) return { messages, end: 'error', status: parser.error!.status };
      pos = next;
      if (!parser.done) continue;
      const h = head as RequestHead | null;
      if (h!.upgrade) {
        messages.push(current!);
        return { messages, end: 'upgrade' };
      }
      if (!h!.keepAlive) return { messages, end: 'close' };
      parser.reset();
    }
  }
  return { messages, end: parser.idle ? 'clean' : 'incomplete' };
}
