// berth's upstream HTTP/2 client (client-connection.ts) against a raw upstream on 127.0.0.1 that
// sends hand-made frames: the connection errors the client side now shares with the server side
// (connection-core.ts, header-block.ts). Before the shared core the client answered a HEADERS too
// short for its priority fields with PROTOCOL_ERROR, and took endless CONTINUATIONs, a
// SETTINGS_INITIAL_WINDOW_SIZE that overflows a stream window (RFC 9113 s6.9.2) and WINDOW_UPDATE
// on a stream it never opened (s5.1) without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { H2ClientConnection, type ClientConnectionOwner } from './client-connection.js';
import type { ClientStreamSink } from './client-stream.js';
import { ErrorCode, FRAME_HEADER_SIZE, Flag, FrameType, MAX_WINDOW, Setting, frame, settingsFrame, u32Frame } from './frames.js';
import { HpackEncoder } from './hpack.js';
import { H2_PREFACE } from './preface.js';

/** A raw upstream: what the client wrote, split into frames, and the socket to answer on. */
interface Upstream {
  socket: net.Socket;
  frames: Array<{ type: number; flags: number; id: number; payload: Buffer }>;
}

const owner: ClientConnectionOwner = { onReady() {}, onRetire() {}, onStreamClosed() {} };

function sink(heads: number[]): ClientStreamSink {
  return {
    onHead: (status) => void heads.push(status),
    onData() {}, onTrailers() {}, onEnd() {}, onReset() {}, onDrain() {},
  };
}

/** withUpstream runs `body` with a client connection to a raw upstream that has sent its SETTINGS. */
async function withUpstream(body: (client: H2ClientConnection, up: Upstream) => Promise<void>): Promise<void> {
  let accepted!: (s: net.Socket) => void;
  const socketP = new Promise<net.Socket>((r) => (accepted = r));
  const server = net.createServer((s) => accepted(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const client = new H2ClientConnection(socket, owner);
  const raw = await socketP;
  const up: Upstream = { socket: raw, frames: [] };
  raw.on('error', () => {});
  let pending = Buffer.alloc(0);
  raw.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (pending.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) pending = pending.subarray(H2_PREFACE.length);
    while (pending.length >= FRAME_HEADER_SIZE) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < FRAME_HEADER_SIZE + length) break;
      up.frames.push({ type: pending[3]!, flags: pending[4]!, id: pending.readUInt32BE(5) & 0x7fffffff, payload: pending.subarray(9, 9 + length) });
      pending = pending.subarray(FRAME_HEADER_SIZE + length);
    }
  });
  raw.write(settingsFrame([]));
  try {
    await body(client, up);
  } finally {
    client.destroy();
    raw.destroy();
    server.close();
  }
}

/** goawayCode waits (at most 3 s) for the client's GOAWAY and returns its error code, or null. */
async function goawayCode(up: Upstream): Promise<number | null> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const goaway = up.frames.find((f) => f.type === FrameType.GOAWAY);
    if (goaway !== undefined) return goaway.payload.readUInt32BE(4);
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

function responseBlock(): Buffer {
  return new HpackEncoder().encode([':status', '200'], 0);
}

const REQUEST = [':method', 'GET', ':scheme', 'http', ':authority', 'up', ':path', '/'];

test('a response HEADERS with priority fields is taken (the harness sees a good answer)', async () => {
  await withUpstream(async (client, up) => {
    const heads: number[] = [];
    client.request(REQUEST, true, sink(heads));
    const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 15]), responseBlock()]);
    up.socket.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM | Flag.PRIORITY, 1, payload));
    const deadline = Date.now() + 3000;
    while (heads.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(heads, [200]);
  });
});

test('HEADERS too short for its priority fields: GOAWAY FRAME_SIZE_ERROR (RFC 9113 s4.2)', async () => {
  await withUpstream(async (client, up) => {
    client.request(REQUEST, true, sink([]));
    up.socket.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.PRIORITY, 1, Buffer.from([0, 0, 0])));
    assert.equal(await goawayCode(up), ErrorCode.FRAME_SIZE_ERROR);
  });
});

test('a CONTINUATION flood of empty frames: GOAWAY ENHANCE_YOUR_CALM (header-block.ts caps)', async () => {
  await withUpstream(async (client, up) => {
    client.request(REQUEST, true, sink([]));
    up.socket.write(frame(FrameType.HEADERS, 0, 1, Buffer.from([0x88])));
    const empty = frame(FrameType.CONTINUATION, 0, 1, null);
    up.socket.write(Buffer.concat(Array.from({ length: 200 }, () => empty)));
    assert.equal(await goawayCode(up), ErrorCode.ENHANCE_YOUR_CALM);
  });
});

test('SETTINGS_INITIAL_WINDOW_SIZE that overflows an open stream window: GOAWAY FLOW_CONTROL_ERROR (s6.9.2)', async () => {
  await withUpstream(async (client, up) => {
    client.request(REQUEST, false, sink([]));
    up.socket.write(u32Frame(FrameType.WINDOW_UPDATE, 1, MAX_WINDOW - 65_535));
    up.socket.write(settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 65_536]]));
    assert.equal(await goawayCode(up), ErrorCode.FLOW_CONTROL_ERROR);
  });
});

test('WINDOW_UPDATE on a stream the client never opened: GOAWAY PROTOCOL_ERROR (s5.1)', async () => {
  await withUpstream(async (client, up) => {
    client.request(REQUEST, true, sink([]));
    up.socket.write(u32Frame(FrameType.WINDOW_UPDATE, 5, 100));
    assert.equal(await goawayCode(up), ErrorCode.PROTOCOL_ERROR);
  });
});
