import type { IncomingHttpHeaders } from 'node:http';

/**
 * DownstreamRequest: what the proxy engine reads from the client's request. Node's
 * http.IncomingMessage and http2's compatibility Http2ServerRequest both satisfy it, so an
 * HTTP/2 front end feeds the same engine (Attempt) as the HTTP/1.1 listener.
 */
export interface DownstreamRequest {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly socket: { readonly remoteAddress?: string | undefined; readonly localPort?: number | undefined };
  on(event: 'data', listener: (this: DownstreamRequest, chunk: Buffer) => void): unknown;
  on(event: 'end', listener: (this: DownstreamRequest) => void): unknown;
  off(event: 'data', listener: (this: DownstreamRequest, chunk: Buffer) => void): unknown;
  off(event: 'end', listener: (this: DownstreamRequest) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** Kong's default write_timeout: a response's write timeout until its route says otherwise. */
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;

/**
 * DownstreamResponse: what the engine writes to the client. Headers go as a flat
 * [name, value, ...] list (hop-by-hop names already removed, see headers.ts).
 */
export interface DownstreamResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers: string[]): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(chunk: Buffer | string, encoding?: BufferEncoding): unknown;
  destroy(): unknown;
  /** Inactivity limit on the client while it is behind (0 switches it off). */
  setTimeout(ms: number): unknown;
  /**
   * The route's write timeout, for a response that can hold its end back after the engine is done
   * with it (an HTTP/2 stream waiting for the client's window, http2/server-stream.ts); absent on
   * responses that cannot.
   */
  writeTimeoutMs?: number;
  on(event: 'close', listener: (this: DownstreamResponse) => void): unknown;
  once(event: 'drain', listener: (this: DownstreamResponse) => void): unknown;
}
