// The h2 bench's floor for a Node.js proxy: node:http2 server -> node:http2 client sessions (at
// most 100 streams each), headers passed through minus pseudo and connection-specific fields,
// body, response and trailers streamed, nothing else (no routing, balancing, timeouts, metrics).
// What berth's HTTP/2 path costs beyond node's own http2 code is berth ÷ this.
// usage: node bench/h2-node-baseline.mjs PORT BACKEND_PORT
import http2 from 'node:http2';

const [port, backendPort] = process.argv.slice(2).map(Number);
const origin = `http://127.0.0.1:${backendPort}`;
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);
const sessions = [];

function session() {
  for (const s of sessions) if (s.active < 100 && !s.h2.closed && !s.h2.destroyed) return s;
  const s = { h2: http2.connect(origin), active: 0 };
  s.h2.on('error', () => {});
  s.h2.on('close', () => sessions.splice(sessions.indexOf(s), 1));
  sessions.push(s);
  return s;
}

function copy(from, to) {
  for (const name of Object.keys(from)) if (name[0] !== ':' && !HOP.has(name)) to[name] = from[name];
  return to;
}

const server = http2.createServer({ settings: { maxConcurrentStreams: 256 } });
server.on('stream', (down, headers) => {
  const s = session();
  s.active++;
  const up = s.h2.request(copy(headers, { ':method': headers[':method'], ':path': headers[':path'], ':authority': headers[':authority'], ':scheme': 'http' }),
    { endStream: down.endAfterHeaders });
  let trailers = null;
  down.on('error', () => up.close(http2.constants.NGHTTP2_CANCEL));
  up.on('error', () => down.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
  up.on('close', () => s.active--);
  down.pipe(up);
  up.on('response', (h) => down.respond(copy(h, { ':status': h[':status'] }), { waitForTrailers: true }));
  up.on('trailers', (t) => (trailers = copy(t, {})));
  down.on('wantTrailers', () => down.sendTrailers(trailers ?? {}));
  up.pipe(down);
});
server.listen(port, '127.0.0.1', () => console.log(`node h2 baseline on ${port} -> ${origin}`));
process.on('SIGTERM', () => process.exit(0));
