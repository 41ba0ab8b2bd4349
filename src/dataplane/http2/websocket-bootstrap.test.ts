import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { bootstrapWebSocket } from './websocket-bootstrap.js';

/** The RFC 8441 s5.1 example request, as a field list and as the folded headers. */
function example(extra: string[] = []): { headers: IncomingHttpHeaders; raw: string[] } {
  const raw = [':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'https', ':path', '/chat', ':authority', 'server.example.com',
    'sec-websocket-protocol', 'chat, superchat', 'sec-websocket-version', '13', 'origin', 'http://www.example.com', ...extra];
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!] = raw[i + 1]!;
  return { headers, raw };
}

test('an extended CONNECT for websocket becomes the HTTP/1.1 upgrade it stands for', () => {
  const { headers, raw } = example();
  assert.equal(bootstrapWebSocket(headers, raw), 'websocket');
  assert.equal(headers[':method'], 'GET');
  assert.equal(headers.upgrade, 'websocket');
  assert.equal(headers.connection, 'upgrade');
  const key = headers['sec-websocket-key'] as string;
  assert.equal(Buffer.from(key, 'base64').length, 16, 'RFC 6455 s4.1: 16 random bytes, base64');
  assert.deepEqual(raw.slice(-2), ['sec-websocket-key', key]);
  assert.equal(raw.filter((f) => f === 'sec-websocket-version').length, 1, 'the client\'s version is kept, not doubled');
  const other = example();
  bootstrapWebSocket(other.headers, other.raw);
  assert.notEqual(other.headers['sec-websocket-key'], key, 'a fresh key per stream');
});

test('a key the client sent anyway is replaced; a missing version is added', () => {
  const { headers, raw } = example(['sec-websocket-key', 'Y2xpZW50IGtleSAxMjM0NQ==']);
  raw.splice(raw.indexOf('sec-websocket-version'), 2);
  delete headers['sec-websocket-version'];
  bootstrapWebSocket(headers, raw);
  const keys = raw.flatMap((f, i) => (i % 2 === 0 && f === 'sec-websocket-key' ? [raw[i + 1]] : []));
  assert.deepEqual(keys, [headers['sec-websocket-key']]);
  assert.notEqual(keys[0], 'Y2xpZW50IGtleSAxMjM0NQ==');
  assert.equal(headers['sec-websocket-version'], '13');
  assert.ok(raw.includes('sec-websocket-version'));
});

test('other :protocol values are unsupported and left as they are; plain requests are requests', () => {
  const { headers, raw } = example();
  headers[':protocol'] = 'connect-udp';
  const before = raw.slice();
  assert.equal(bootstrapWebSocket(headers, raw), 'unsupported');
  assert.equal(headers[':method'], 'CONNECT');
  assert.deepEqual(raw, before);
  assert.equal(bootstrapWebSocket({ ':method': 'GET', ':path': '/' }, [':method', 'GET', ':path', '/']), 'request');
  assert.equal(bootstrapWebSocket({ ':method': 'CONNECT', ':protocol': 'WebSocket' }, []), 'websocket', 'tokens are case-insensitive');
});
