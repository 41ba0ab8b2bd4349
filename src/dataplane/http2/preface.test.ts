import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { H2_PREFACE, prefaceVerdict, sniffProtocol } from './preface.js';

let server: net.Server;
let port = 0;

before(async () => {
  const h1 = http.createServer((_req, res) => res.end('http/1.1'));
  const h2 = http2.createServer((_req, res) => res.end('h2c'));
  server = net.createServer((socket) => sniffProtocol(socket, (s, isH2) => (isH2 ? h2 : h1).emit('connection', s)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});

after(() => server.close());

test('prefaceVerdict waits on a prefix and decides on the first differing byte', () => {
  assert.equal(prefaceVerdict(H2_PREFACE), 'h2');
  assert.equal(prefaceVerdict(Buffer.concat([H2_PREFACE, Buffer.from([0, 0, 0])])), 'h2');
  assert.equal(prefaceVerdict(H2_PREFACE.subarray(0, 5)), 'more');
  assert.equal(prefaceVerdict(Buffer.from('PRI * HTTP/1.1\r\n')), 'http1');
  assert.equal(prefaceVerdict(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
  assert.equal(prefaceVerdict(Buffer.from('P')), 'more');
});

test('HTTP/1.1 and h2c prior knowledge are served on one port', async () => {
  const h1 = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  assert.equal(h1, 'http/1.1');
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const body = await new Promise<string>((resolve, reject) => {
    const s = client.request({ ':path': '/' });
    let b = '';
    s.on('data', (c) => (b += c));
    s.on('end', () => resolve(b));
    s.on('error', reject);
  });
  client.close();
  assert.equal(body, 'h2c');
});

test('a preface sent one byte at a time is still recognised', async () => {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  for (const byte of H2_PREFACE) {
    socket.write(Buffer.from([byte]));
    await new Promise((r) => setTimeout(r, 1));
  }
  // An empty SETTINGS frame completes the preface; the server answers with its own SETTINGS.
  socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
  const reply = await new Promise<Buffer>((r) => socket.once('data', r));
  assert.equal(reply[3], 4, 'the server answered with a SETTINGS frame');
  socket.destroy();
});
