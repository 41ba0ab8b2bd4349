import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamTunnelClient, type TunnelStream } from './stream-tunnel.js';

const clientFor = (key: string): StreamTunnelClient => new StreamTunnelClient({ headers: { 'sec-websocket-key': key } } as unknown as TunnelStream);

test('the upstream\'s 101 must answer our key (RFC 6455 s1.3 example: dGhlIHNhbXBsZSBub25jZQ==)', () => {
  const client = clientFor('dGhlIHNhbXBsZSBub25jZQ==');
  assert.equal(client.accepts(['Upgrade', 'websocket', 'Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']), true);
  assert.equal(client.accepts(['sec-websocket-accept', ' s3pPLMBiTxaQ9kYGzzhZRbK+xOo= ']), true, 'OWS around the value');
  assert.equal(client.accepts(['Sec-WebSocket-Accept', 'bm90IHRoZSBhbnN3ZXI=']), false);
  assert.equal(client.accepts(['Upgrade', 'websocket']), false, 'no answer at all');
  assert.equal(clientFor('b3RoZXIga2V5IDEyMzQ1Ng==').accepts(['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']), false);
});
