import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createEchoServer, listenEcho } from './server.js';

describe('echo server', () => {
  const server = createEchoServer({ pod: 'echo-abc', namespace: 'kong', node: 'node-1' });
  let base = '';
  before(async () => {
    const a = await listenEcho(server, '127.0.0.1', 0);
    base = `127.0.0.1:${a.port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers any path and method with the guide\'s text naming the pod', async () => {
    for (const [method, path] of [['GET', '/echo'], ['POST', '/any/thing?x=1'], ['DELETE', '/']] as const) {
      const res = await fetch(`http://${base}${path}`, { method, body: method === 'POST' ? 'payload' : undefined });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-echo-pod'), 'echo-abc');
      assert.equal(await res.text(),
        'Welcome, you are connected to node node-1.\nRunning on Pod echo-abc.\nIn namespace kong.\nWith IP address 127.0.0.1.\n');
    }
  });

  it('echoes WebSocket text and binary messages, including large ones, and answers pings', async () => {
    const ws = new WebSocket(`ws://${base}/echo`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const next = () => new Promise<{ data: Buffer; binary: boolean }>((resolve) =>
      ws.once('message', (data, binary) => resolve({ data: data as Buffer, binary })));
    ws.send('hello');
    assert.deepEqual(await next(), { data: Buffer.from('hello'), binary: false });
    const big = Buffer.alloc(70_000, 7);
    ws.send(big);
    const got = await next();
    assert.equal(got.binary, true);
    assert.ok(got.data.equals(big));
    const pong = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping('p');
    assert.equal(String(await pong), 'p');
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.close(1000);
    assert.equal(await closed, 1000);
  });

  it('closes a WebSocket with 1002 on an unmasked (protocol-violating) client frame', async () => {
    const reply = await new Promise<Buffer>((resolve) => {
      const sock = connect(Number(base.split(':')[1]), '127.0.0.1', () => {
        sock.write('GET / HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n' +
          'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n');
        sock.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // "hi" without the mask bit
      });
      const chunks: Buffer[] = [];
      sock.on('data', (d) => chunks.push(d)).on('close', () => resolve(Buffer.concat(chunks)));
    });
    const text = reply.toString('latin1');
    assert.match(text, /^HTTP\/1.1 101 /);
    assert.match(text, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i); // RFC 6455's example key
    assert.deepEqual([...reply.subarray(-4)], [0x88, 0x02, 0x03, 0xea]);
  });

  it('answers garbage with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(Number(base.split(':')[1]), '127.0.0.1', () => sock.write('NOT HTTP\r\n\r\n'));
      let text = '';
      sock.on('data', (d) => (text += d)).on('close', () => resolve(text));
    });
    assert.match(reply, /^HTTP\/1.1 400/);
    assert.equal((await fetch(`http://${base}/`)).status, 200);
  });
});
