// The h2 bench's upstream: an h2c server answering every stream like a unary gRPC method
// (200, application/grpc, one length-prefixed message, grpc-status 0 in trailers).
// usage: node bench/h2-backend.mjs PORT
import http2 from 'node:http2';

const port = Number(process.argv[2] ?? 50051);
const message = Buffer.from('0a0568656c6c6f', 'hex'); // protobuf: field 1 = "hello"
const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
server.on('stream', (stream) => {
  stream.on('error', () => {});
  stream.resume();
  stream.on('end', () => {
    // A proxy killed between rounds resets its streams: one may end and be gone in the same turn.
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`h2 backend on ${port}`));
