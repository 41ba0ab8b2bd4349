import { STATUS_CODES } from 'node:http';

const MESSAGES: Record<number, string> = {
  400: 'Bad request',
  408: 'Request timeout',
  431: 'Request header or cookie too large',
  505: 'HTTP version not supported',
};

/**
 * errorAnswer: the whole answer to a request refused before it reached the engine (malformed,
 * too large, too slow, unsupported version): Kong's JSON error body and Connection: close.
 */
export function errorAnswer(status: number): string {
  const body = errorBody(status);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
}

/** errorBody: Kong's JSON error body for a refused request. */
export function errorBody(status: number): string {
  return JSON.stringify({ message: MESSAGES[status] ?? 'Bad request' }) + '\n';
}
