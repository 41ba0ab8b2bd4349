// h2spec's server cases (github:summerwind/h2spec, http2/*.go and hpack/*.go), ported: each sends
// the frames the Go case sends and checks what comes back with the verifier it uses (see
// test/helpers/h2-raw.ts). (http2/4.2/1, 5.1/8, 5.1/9, 5.1/11, 5.1/12, 5.1.1/2, 5.3.1/1 and 5.3.1/2
// joined once berth's engine was fixed for them.)
// The id is h2spec's ("http2/6.5/1" is the first case of http2/6_5_settings.go). A case returns
// null when the server passed, else what went wrong.
import {
  E, F, T, H2RawClient, PREFACE, commonHeaders, connectionError, dummyHeaders, encodeHeaders, frameBytes, goawayPayload,
  headersFrame, hpackInt, pingAck, settingsBytes, streamClose, streamError, u32,
} from '../helpers/h2-raw.js';

export interface H2specCase {
  id: string;
  desc: string;
  run(port: number): Promise<string | null>;
}

const PING_DATA = Buffer.from('h2spec\0\0', 'latin1');
const S = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5 };

/** onConn: a case on one handshaken connection (h2spec's conn.Handshake()), closed afterwards. */
function onConn(id: string, desc: string, body: (c: H2RawClient) => Promise<string | null>, settings: Array<[number, number]> = []): H2specCase {
  return {
    id, desc,
    async run(port) {
      const c = await H2RawClient.connect(port, settings);
      try {
        return await body(c);
      } finally {
        c.close();
      }
    },
  };
}

const post = (path = '/'): Array<[string, string]> => commonHeaders(path, 'POST');
const block = (fields: Array<[string, string]>): Buffer => encodeHeaders(fields);

export const H2SPEC_CASES: H2specCase[] = [
  // http2/3_5_http2_connection_preface.go
  {
    id: 'http2/3.5/1', desc: 'Sends client connection preface: the server answers with SETTINGS',
    async run(port) {
      const c = await H2RawClient.open(port);
      try {
        c.send(Buffer.concat([PREFACE, settingsBytes([[S.INITIAL_WINDOW_SIZE, 0x00ffff]])]));
        const ev = await c.wait(() => true);
        if (ev?.kind === 'frame' && ev.frame.type === T.SETTINGS && (ev.frame.flags & F.ACK) === 0) return null;
        return 'first frame was not SETTINGS';
      } finally { c.close(); }
    },
  },
  {
    id: 'http2/3.5/2', desc: 'Sends invalid connection preface -> PROTOCOL_ERROR or close',
    async run(port) {
      const c = await H2RawClient.open(port);
      try {
        c.send(Buffer.from('INVALID CONNECTION PREFACE\r\n\r\n'));
        return await connectionError(c, [E.PROTOCOL_ERROR]);
      } finally { c.close(); }
    },
  },
  // http2/4_1_frame_format.go
  onConn('http2/4.1/1', 'Sends a frame with unknown type: ignored', async (c) => {
    c.send(frameBytes(0x16, 0, 0, Buffer.alloc(8)));
    c.frame(T.PING, 0, 0, PING_DATA);
    return pingAck(c, PING_DATA);
  }),
  onConn('http2/4.1/2', 'Sends a frame with undefined flag: ignored', async (c) => {
    c.frame(T.PING, 0x16, 0, PING_DATA);
    return pingAck(c, PING_DATA);
  }),
  onConn('http2/4.1/3', 'Sends a frame with reserved field bit: ignored', async (c) => {
    c.send(frameBytes(T.PING, 0x16, 0x80000000, PING_DATA));
    return pingAck(c, PING_DATA);
  }),
  // http2/4_2_frame_size.go
  onConn('http2/4.2/1', 'Sends a DATA frame with 2^14 octets in length: the request is answered', async (c) => {
    c.headers(1, post(), F.END_HEADERS); // no content-length, as h2spec sends it
    c.data(1, Buffer.alloc(16_384, 0x78), true);
    return headersFrame(c, 1);
  }),
  onConn('http2/4.2/2', 'Sends a large size DATA frame that exceeds the SETTINGS_MAX_FRAME_SIZE -> FRAME_SIZE_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.data(1, Buffer.alloc(16_385, 0x78), true);
    return streamError(c, [E.FRAME_SIZE_ERROR]);
  }),
  onConn('http2/4.2/3', 'Sends a large size HEADERS frame that exceeds the SETTINGS_MAX_FRAME_SIZE -> FRAME_SIZE_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), ...dummyHeaders(5)]);
    return connectionError(c, [E.FRAME_SIZE_ERROR]);
  }),
  // http2/4_3_header_compression_and_decompression.go
  onConn('http2/4.3/1', 'Sends invalid header block fragment -> COMPRESSION_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x01\x01\x05\x00\x00\x00\x01\x40', 'latin1'));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  onConn('http2/4.3/2', 'Sends a PRIORITY frame while sending the header blocks -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), 0);
    c.frame(T.PRIORITY, 0, 1, Buffer.from([0, 0, 0, 0, 255]));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/4.3/3', 'Sends a HEADERS frame to another stream while sending the header blocks -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), 0);
    c.headers(3, commonHeaders());
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/5_1_stream_states.go
  onConn('http2/5.1/1', 'idle: Sends a DATA frame -> PROTOCOL_ERROR', async (c) => {
    c.data(1, 'test');
    return streamError(c, [E.PROTOCOL_ERROR, E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/2', 'idle: Sends a RST_STREAM frame -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.RST_STREAM, 0, 1, u32(E.CANCEL));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1/3', 'idle: Sends a WINDOW_UPDATE frame -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.WINDOW_UPDATE, 0, 1, u32(100));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1/4', 'idle: Sends a CONTINUATION frame -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(commonHeaders()));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1/5', 'half closed (remote): Sends a DATA frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, commonHeaders());
    c.data(1, 'test');
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/6', 'half closed (remote): Sends a HEADERS frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, commonHeaders());
    c.headers(1, commonHeaders());
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/7', 'half closed (remote): Sends a CONTINUATION frame -> STREAM_CLOSED or PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders());
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return streamError(c, [E.STREAM_CLOSED, E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1/8', 'closed: Sends a DATA frame after sending RST_STREAM frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.RST_STREAM, 0, 1, u32(E.CANCEL));
    c.data(1, 'test');
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/9', 'closed: Sends a HEADERS frame after sending RST_STREAM frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.RST_STREAM, 0, 1, u32(E.CANCEL));
    c.headers(1, commonHeaders());
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/10', 'closed: Sends a CONTINUATION frame after sending RST_STREAM frame -> STREAM_CLOSED or PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.RST_STREAM, 0, 1, u32(E.CANCEL));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return streamError(c, [E.STREAM_CLOSED, E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1/11', 'closed: Sends a DATA frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, commonHeaders());
    const closed = await streamClose(c, 1);
    if (closed !== null) return closed;
    c.data(1, 'test');
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/12', 'closed: Sends a HEADERS frame -> STREAM_CLOSED', async (c) => {
    c.headers(1, commonHeaders());
    const closed = await streamClose(c, 1);
    if (closed !== null) return closed;
    c.headers(1, commonHeaders());
    return connectionError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/5.1/13', 'closed: Sends a CONTINUATION frame -> STREAM_CLOSED or PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders());
    const closed = await streamClose(c, 1);
    if (closed !== null) return closed;
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.STREAM_CLOSED, E.PROTOCOL_ERROR]);
  }),
  // http2/5_1_1_stream_identifiers.go
  onConn('http2/5.1.1/1', 'Sends even-numbered stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.headers(2, commonHeaders());
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.1.1/2', 'Sends stream identifier that is numerically smaller than previous -> PROTOCOL_ERROR', async (c) => {
    c.headers(5, commonHeaders());
    c.headers(3, commonHeaders());
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/5_1_2_stream_concurrency.go
  onConn('http2/5.1.2/1', 'Sends HEADERS frames that cause the advertised concurrent stream limit to be exceeded -> PROTOCOL_ERROR or REFUSED_STREAM', async (c) => {
    const settings = c.framesOf(T.SETTINGS).find((f) => (f.flags & F.ACK) === 0)!;
    let max = -1;
    for (let at = 0; at < settings.payload.length; at += 6) if (settings.payload.readUInt16BE(at) === S.MAX_CONCURRENT_STREAMS) max = settings.payload.readUInt32BE(at + 2);
    if (max < 0 || max > 1000) return `MAX_CONCURRENT_STREAMS not advertised or unbounded (${max})`;
    // A zero window keeps every answer open (s6.9.2), as h2spec does.
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 0]]));
    let id = 1;
    for (let i = 0; i <= max; i++, id += 2) c.headers(id, commonHeaders());
    return streamError(c, [E.PROTOCOL_ERROR, E.REFUSED_STREAM], 5000);
  }),
  // http2/5_3_1_stream_dependencies.go
  onConn('http2/5.3.1/1', 'Sends HEADERS frame that depends on itself -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS | F.PRIORITY, 1, Buffer.concat([Buffer.from([0, 0, 0, 1, 255]), block(commonHeaders())]));
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/5.3.1/2', 'Sends PRIORITY frame that depend on itself -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.PRIORITY, 0, 2, Buffer.from([0, 0, 0, 2, 255]));
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/5_4_1_connection_error_handling.go
  onConn('http2/5.4.1/1', 'Sends an invalid PING frame for connection close: the TCP connection closes', async (c) => {
    c.frame(T.PING, 0, 3, Buffer.alloc(8));
    const ev = await c.wait(() => false, 3000);
    return ev?.kind === 'closed' ? null : 'connection still open';
  }),
  onConn('http2/5.4.1/2', 'Sends an invalid PING frame to receive GOAWAY frame', async (c) => {
    c.frame(T.PING, 0, 3, Buffer.alloc(8));
    const ev = await c.wait((f) => f.type === T.GOAWAY);
    return ev?.kind === 'frame' && ev.frame.payload.readUInt32BE(4) === E.PROTOCOL_ERROR ? null : 'no GOAWAY PROTOCOL_ERROR';
  }),
  // http2/5_5_extending_http2.go
  onConn('http2/5.5/1', 'Sends an unknown extension frame: ignored', async (c) => {
    c.send(frameBytes(0x16, 0, 0, Buffer.alloc(8)));
    c.frame(T.PING, 0, 0, PING_DATA);
    return pingAck(c, PING_DATA);
  }),
  onConn('http2/5.5/2', 'Sends an unknown extension frame in the middle of a header block -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), F.END_STREAM);
    c.send(frameBytes(0x16, 0, 0, Buffer.alloc(8)));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/6_1_data.go
  onConn('http2/6.1/1', 'Sends a DATA frame with 0x0 stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.data(0, 'test');
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.1/2', 'Sends a DATA frame on the stream that is not in "open" or "half-closed (local)" state -> STREAM_CLOSED', async (c) => {
    c.headers(1, commonHeaders());
    c.data(1, 'test');
    return streamError(c, [E.STREAM_CLOSED]);
  }),
  onConn('http2/6.1/3', 'Sends a DATA frame with invalid pad length -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...post(), ['content-length', '4']], F.END_HEADERS);
    c.send(Buffer.from('\x00\x00\x05\x00\x09\x00\x00\x00\x01\x06\x54\x65\x73\x74', 'latin1'));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/6_2_headers.go
  onConn('http2/6.2/1', 'Sends a HEADERS frame without the END_HEADERS flag, and a PRIORITY frame -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), 0);
    c.frame(T.PRIORITY, 0, 3, Buffer.from([0, 0, 0, 0, 255]));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.2/2', 'Sends a HEADERS frame to another stream while sending a HEADERS frame -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), 0);
    c.headers(3, commonHeaders());
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.2/3', 'Sends a HEADERS frame with 0x0 stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.headers(0, commonHeaders());
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.2/4', 'Sends a HEADERS frame with invalid pad length -> PROTOCOL_ERROR', async (c) => {
    const fragment = block(commonHeaders());
    c.send(Buffer.concat([frameBytes(T.HEADERS, 0x0d, 1, Buffer.concat([Buffer.from([fragment.length + 2]), fragment]))]));
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/6_3_priority.go
  onConn('http2/6.3/1', 'Sends a PRIORITY frame with 0x0 stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.PRIORITY, 0, 0, Buffer.from([0, 0, 0, 0, 255]));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.3/2', 'Sends a PRIORITY frame with a length other than 5 octets -> FRAME_SIZE_ERROR', async (c) => {
    c.headers(1, commonHeaders());
    c.send(Buffer.from('\x00\x00\x04\x02\x00\x00\x00\x00\x01\x80\x00\x00\x01', 'latin1'));
    return streamError(c, [E.FRAME_SIZE_ERROR]);
  }),
  // http2/6_4_rst_stream.go
  onConn('http2/6.4/1', 'Sends a RST_STREAM frame with 0x0 stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.RST_STREAM, 0, 0, u32(E.CANCEL));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.4/2', 'Sends a RST_STREAM frame on a idle stream -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.RST_STREAM, 0, 1, u32(E.CANCEL));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.4/3', 'Sends a RST_STREAM frame with a length other than 4 octets -> FRAME_SIZE_ERROR', async (c) => {
    c.headers(1, commonHeaders());
    c.send(Buffer.from('\x00\x00\x03\x03\x00\x00\x00\x00\x01\x00\x00\x00', 'latin1'));
    return streamError(c, [E.FRAME_SIZE_ERROR]);
  }),
  // http2/6_5_settings.go
  onConn('http2/6.5/1', 'Sends a SETTINGS frame with ACK flag and payload -> FRAME_SIZE_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x01\x04\x01\x00\x00\x00\x00\x00', 'latin1'));
    return connectionError(c, [E.FRAME_SIZE_ERROR]);
  }),
  onConn('http2/6.5/2', 'Sends a SETTINGS frame with a stream identifier other than 0x0 -> PROTOCOL_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x06\x04\x00\x00\x00\x00\x01\x00\x03\x00\x00\x00\x64', 'latin1'));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.5/3', 'Sends a SETTINGS frame with a length other than a multiple of 6 octets -> FRAME_SIZE_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x03\x04\x00\x00\x00\x00\x00\x00\x03\x00', 'latin1'));
    return streamError(c, [E.PROTOCOL_ERROR, E.FRAME_SIZE_ERROR]);
  }),
  // http2/6_5_2_defined_settings_parameters.go
  onConn('http2/6.5.2/1', 'SETTINGS_ENABLE_PUSH (0x2): Sends the value other than 0 or 1 -> PROTOCOL_ERROR', async (c) => {
    c.send(settingsBytes([[S.ENABLE_PUSH, 2]]));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.5.2/2', 'SETTINGS_INITIAL_WINDOW_SIZE (0x4): Sends the value above the maximum flow control window size -> FLOW_CONTROL_ERROR', async (c) => {
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 2 ** 31]]));
    return connectionError(c, [E.FLOW_CONTROL_ERROR]);
  }),
  onConn('http2/6.5.2/3', 'SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value below the initial value -> PROTOCOL_ERROR', async (c) => {
    c.send(settingsBytes([[S.MAX_FRAME_SIZE, 16_383]]));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.5.2/4', 'SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value above the maximum allowed frame size -> PROTOCOL_ERROR', async (c) => {
    c.send(settingsBytes([[S.MAX_FRAME_SIZE, 16_777_216]]));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.5.2/5', 'Sends a SETTINGS frame with unknown identifier: ignored', async (c) => {
    c.send(settingsBytes([[0xff, 1]]));
    c.frame(T.PING, 0, 0, PING_DATA);
    return pingAck(c, PING_DATA);
  }),
  // http2/6_5_3_settings_synchronization.go
  onConn('http2/6.5.3/1', 'Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE: the last one (1) applies', async (c) => {
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 100], [S.INITIAL_WINDOW_SIZE, 1]]));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    if (ack?.kind !== 'frame') return 'no SETTINGS ACK';
    c.headers(1, commonHeaders());
    const ev = await c.wait((f) => f.type === T.DATA && f.id === 1);
    return ev?.kind === 'frame' && ev.frame.payload.length === 1 ? null : `expected DATA of 1 octet, got ${ev?.kind === 'frame' ? ev.frame.payload.length : ev?.kind}`;
  }),
  onConn('http2/6.5.3/2', 'Sends a SETTINGS frame without ACK flag: SETTINGS ACK at once', async (c) => {
    c.send(settingsBytes([[S.ENABLE_PUSH, 0]]));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    return ack?.kind === 'frame' ? null : 'no SETTINGS ACK';
  }),
  // http2/6_7_ping.go
  onConn('http2/6.7/1', 'Sends a PING frame: PING ACK with the same payload', async (c) => {
    c.frame(T.PING, 0, 0, PING_DATA);
    return pingAck(c, PING_DATA);
  }),
  onConn('http2/6.7/2', 'Sends a PING frame with ACK: not answered', async (c) => {
    const unexpected = Buffer.from('invalid!', 'latin1');
    c.frame(T.PING, F.ACK, 0, unexpected);
    c.frame(T.PING, 0, 0, PING_DATA);
    const ev = await c.wait((f) => f.type === T.PING);
    if (ev?.kind !== 'frame' || !ev.frame.payload.equals(PING_DATA)) return 'answered a PING ACK, or no answer to the PING';
    return null;
  }),
  onConn('http2/6.7/3', 'Sends a PING frame with a stream identifier field value other than 0x0 -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.PING, 0, 1, Buffer.alloc(8));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.7/4', 'Sends a PING frame with a length field value other than 8 -> FRAME_SIZE_ERROR', async (c) => {
    c.frame(T.PING, 0, 0, Buffer.alloc(6));
    return connectionError(c, [E.FRAME_SIZE_ERROR]);
  }),
  // http2/6_8_goaway.go
  onConn('http2/6.8/1', 'Sends a GOAWAY frame with a stream identifier other than 0x0 -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.GOAWAY, 0, 1, Buffer.alloc(8));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/6_9_window_update.go
  onConn('http2/6.9/1', 'Sends a WINDOW_UPDATE frame with a flow control window increment of 0 -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.WINDOW_UPDATE, 0, 0, u32(0));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.9/2', 'Sends a WINDOW_UPDATE frame with a flow control window increment of 0 on a stream -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.WINDOW_UPDATE, 0, 1, u32(0));
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.9/3', 'Sends a WINDOW_UPDATE frame with a length other than 4 octets -> FRAME_SIZE_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x03\x08\x00\x00\x00\x00\x00\x00\x00\x01', 'latin1'));
    return connectionError(c, [E.FRAME_SIZE_ERROR]);
  }),
  // http2/6_9_1_the_flow_control_window.go
  onConn('http2/6.9.1/1', 'Sends SETTINGS frame to set the initial window size to 1 and sends HEADERS frame: DATA of 1 octet', async (c) => {
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 1]]));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    if (ack?.kind !== 'frame') return 'no SETTINGS ACK';
    c.headers(1, commonHeaders());
    const ev = await c.wait((f) => f.type === T.DATA && f.id === 1);
    return ev?.kind === 'frame' && ev.frame.payload.length === 1 ? null : 'expected DATA of 1 octet';
  }),
  onConn('http2/6.9.1/2', 'Sends multiple WINDOW_UPDATE frames increasing the flow control window to above 2^31-1 -> FLOW_CONTROL_ERROR', async (c) => {
    c.frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1));
    c.frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1));
    const ev = await c.wait((f) => f.type === T.GOAWAY);
    return ev?.kind === 'frame' && ev.frame.payload.readUInt32BE(4) === E.FLOW_CONTROL_ERROR ? null : 'no GOAWAY FLOW_CONTROL_ERROR';
  }),
  onConn('http2/6.9.1/3', 'Sends multiple WINDOW_UPDATE frames increasing the flow control window to above 2^31-1 on a stream -> RST_STREAM FLOW_CONTROL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1));
    c.frame(T.WINDOW_UPDATE, 0, 1, u32(2 ** 31 - 1));
    const ev = await c.wait((f) => f.type === T.RST_STREAM && f.id === 1);
    return ev?.kind === 'frame' && ev.frame.payload.readUInt32BE(0) === E.FLOW_CONTROL_ERROR ? null : 'no RST_STREAM FLOW_CONTROL_ERROR';
  }),
  // http2/6_9_2_initial_flow_control_window_size.go
  onConn('http2/6.9.2/1', 'Changes SETTINGS_INITIAL_WINDOW_SIZE after sending HEADERS frame: the open stream gets the new window', async (c) => {
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 0]]));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    if (ack?.kind !== 'frame') return 'no SETTINGS ACK';
    c.headers(1, commonHeaders());
    const head = await headersFrame(c, 1);
    if (head !== null) return head;
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 1]]));
    const ev = await c.wait((f) => f.type === T.DATA && f.id === 1);
    return ev?.kind === 'frame' && ev.frame.payload.length === 1 ? null : 'expected DATA of 1 octet';
  }),
  onConn('http2/6.9.2/2', 'Sends a SETTINGS frame for window size to be negative: the negative window is tracked', async (c) => {
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 3]]));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    if (ack?.kind !== 'frame') return 'no SETTINGS ACK';
    c.headers(1, commonHeaders());
    const first = await c.wait((f) => f.type === T.DATA && f.id === 1);
    if (first?.kind !== 'frame') return 'no first DATA';
    c.send(settingsBytes([[S.INITIAL_WINDOW_SIZE, 2]]));
    const ack2 = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    if (ack2?.kind !== 'frame') return 'no second SETTINGS ACK';
    // The window is now 2 - 3 = -1: an increment of 2 lets exactly 1 octet out.
    c.frame(T.WINDOW_UPDATE, 0, 1, u32(2));
    const ev = await c.wait((f) => f.type === T.DATA && f.id === 1);
    return ev?.kind === 'frame' && ev.frame.payload.length === 1 ? null : `expected DATA of 1 octet, got ${ev?.kind === 'frame' ? ev.frame.payload.length : ev?.kind}`;
  }),
  onConn('http2/6.9.2/3', 'Sends a SETTINGS_INITIAL_WINDOW_SIZE settings with an exceeded maximum window size value -> FLOW_CONTROL_ERROR', async (c) => {
    c.send(Buffer.from('\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x04\x80\x00\x00\x00', 'latin1'));
    return connectionError(c, [E.FLOW_CONTROL_ERROR]);
  }),
  // http2/6_10_continuation.go
  onConn('http2/6.10/1', 'Sends multiple CONTINUATION frames preceded by a HEADERS frame: accepted', async (c) => {
    c.headers(1, commonHeaders(), F.END_STREAM);
    c.frame(T.CONTINUATION, 0, 1, block(dummyHeaders(1)));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return headersFrame(c, 1);
  }),
  onConn('http2/6.10/2', 'Sends a CONTINUATION frame followed by any frame other than CONTINUATION -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), 0);
    c.frame(T.CONTINUATION, 0, 1, block(dummyHeaders(1)));
    c.data(1, 'test');
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.10/3', 'Sends a CONTINUATION frame with 0x0 stream identifier -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), F.END_STREAM);
    c.frame(T.CONTINUATION, F.END_HEADERS, 0, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.10/4', 'Sends a CONTINUATION frame preceded by a HEADERS frame with END_HEADERS flag -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders());
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.10/5', 'Sends a CONTINUATION frame preceded by a CONTINUATION frame with END_HEADERS flag -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, commonHeaders(), F.END_STREAM);
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/6.10/6', 'Sends a CONTINUATION frame preceded by a DATA frame -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.data(1, 'test');
    c.frame(T.CONTINUATION, F.END_HEADERS, 1, block(dummyHeaders(1)));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/7_error_codes.go
  onConn('http2/7/1', 'Sends a GOAWAY frame with unknown error code: no special behaviour', async (c) => {
    c.frame(T.GOAWAY, 0, 0, goawayPayload(0, 0xff));
    c.frame(T.PING, 0, 0, PING_DATA);
    const ev = await c.wait((f) => f.type === T.PING && (f.flags & F.ACK) !== 0);
    return ev === null ? 'neither PING ACK nor close' : null;
  }),
  onConn('http2/7/2', 'Sends a RST_STREAM frame with unknown error code: no special behaviour', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.frame(T.RST_STREAM, 0, 1, u32(0xff));
    c.frame(T.PING, 0, 0, PING_DATA);
    const ev = await c.wait((f) => f.type === T.PING && (f.flags & F.ACK) !== 0);
    return ev === null ? 'neither PING ACK nor close' : null;
  }),
  // http2/8_1_http_request_response_exchange.go
  onConn('http2/8.1/1', 'Sends a second HEADERS frame without the END_STREAM flag -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.data(1, 'test', false);
    c.headers(1, [['x-test', 'ok']], F.END_HEADERS);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_1_2_http_header_fields.go
  onConn('http2/8.1.2/1', 'Sends a HEADERS frame that contains the header field name in uppercase letters -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), ['X-TEST', 'ok']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_1_2_1_pseudo_header_fields.go
  onConn('http2/8.1.2.1/1', 'Sends a HEADERS frame that contains a unknown pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), [':test', 'ok']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.1/2', 'Sends a HEADERS frame that contains the pseudo-header field defined for response -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), [':status', '200']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.1/3', 'Sends a HEADERS frame that contains a pseudo-header field as trailers -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, post(), F.END_HEADERS);
    c.data(1, 'test', false);
    c.headers(1, [[':method', 'POST']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.1/4', 'Sends a HEADERS frame that contains a pseudo-header field that appears after a regular header field -> PROTOCOL_ERROR', async (c) => {
    const [m, s, p, a] = commonHeaders();
    c.headers(1, [m!, s!, ['x-test', 'ok'], p!, a!]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_1_2_2_connection_specific_header_fields.go
  onConn('http2/8.1.2.2/1', 'Sends a HEADERS frame that contains the connection-specific header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), ['connection', 'keep-alive']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.2/2', 'Sends a HEADERS frame that contains the TE header field with any value other than "trailers" -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...commonHeaders(), ['trailers', 'test'], ['te', 'trailers, deflate']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_1_2_3_request_pseudo_header_fields.go
  onConn('http2/8.1.2.3/1', 'Sends a HEADERS frame with empty ":path" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':path', ''], [':authority', 'h2spec.test']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/2', 'Sends a HEADERS frame that omits ":method" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [[':scheme', 'http'], [':path', '/'], [':authority', 'h2spec.test']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/3', 'Sends a HEADERS frame that omits ":scheme" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [[':method', 'GET'], [':path', '/'], [':authority', 'h2spec.test']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/4', 'Sends a HEADERS frame that omits ":path" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'h2spec.test']]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/5', 'Sends a HEADERS frame with duplicated ":method" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    const h = commonHeaders();
    c.headers(1, [h[0]!, [':method', 'GET'], ...h.slice(1)]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/6', 'Sends a HEADERS frame with duplicated ":scheme" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    const h = commonHeaders();
    c.headers(1, [h[0]!, h[1]!, [':scheme', 'http'], ...h.slice(2)]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.3/7', 'Sends a HEADERS frame with duplicated ":path" pseudo-header field -> PROTOCOL_ERROR', async (c) => {
    const h = commonHeaders();
    c.headers(1, [h[0]!, h[1]!, h[2]!, [':path', '/'], h[3]!]);
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_1_2_6_malformed_requests_and_responses.go
  onConn('http2/8.1.2.6/1', 'Sends a HEADERS frame with "content-length" not equal to the DATA frame payload length -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...post(), ['content-length', '1']], F.END_HEADERS);
    c.data(1, 'test');
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  onConn('http2/8.1.2.6/2', 'Sends a HEADERS frame with "content-length" not equal to the sum of the DATA frames payload length -> PROTOCOL_ERROR', async (c) => {
    c.headers(1, [...post(), ['content-length', '1']], F.END_HEADERS);
    c.data(1, 'test', false);
    c.data(1, 'test');
    return streamError(c, [E.PROTOCOL_ERROR]);
  }),
  // http2/8_2_server_push.go
  onConn('http2/8.2/1', 'Sends a PUSH_PROMISE frame -> PROTOCOL_ERROR', async (c) => {
    c.frame(T.PUSH_PROMISE, F.END_HEADERS, 1, Buffer.concat([u32(2), block(commonHeaders())]));
    return connectionError(c, [E.PROTOCOL_ERROR]);
  }),
  // hpack/2_3_3_index_address_space.go
  onConn('hpack/2.3.3/1', 'Sends a indexed header field representation with invalid index -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from([0xc6])]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  onConn('hpack/2.3.3/2', 'Sends a literal header field representation with invalid index -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from([0x7f, 0x07, 0x00])]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  // hpack/4_2_maximum_table_size.go
  onConn('hpack/4.2/1', 'Sends a dynamic table size update at the end of header block -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from([0x21])]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  // hpack/5_2_string_literal_representation.go
  onConn('hpack/5.2/1', 'Sends a Huffman-encoded string literal representation with padding longer than 7 bits -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from('\x00\x85\xf2\xb2\x4a\x84\xff\x84\x49\x50\x9f\xff', 'latin1')]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  onConn('hpack/5.2/2', 'Sends a Huffman-encoded string literal representation padded by zero -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from('\x00\x85\xf2\xb2\x4a\x84\xff\x83\x49\x50\x90', 'latin1')]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  onConn('hpack/5.2/3', 'Sends a Huffman-encoded string literal representation containing the EOS symbol -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from('\x00\x85\xf2\xb2\x4a\x84\xff\x87\x49\x51\xff\xff\xff\xfa\x7f', 'latin1')]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  // hpack/6_1_indexed_header_field_representation.go
  onConn('hpack/6.1/1', 'Sends a indexed header field representation with index 0 -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([block(commonHeaders()), Buffer.from([0x80])]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
  // hpack/6_3_dynamic_table_size_update.go: the server's SETTINGS_HEADER_TABLE_SIZE is 4096 unless it says otherwise.
  onConn('hpack/6.3/1', 'Sends a dynamic table size update larger than the value of SETTINGS_HEADER_TABLE_SIZE -> COMPRESSION_ERROR', async (c) => {
    c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([hpackInt(4097, 5, 0x20), block(commonHeaders())]));
    return connectionError(c, [E.COMPRESSION_ERROR]);
  }),
];
