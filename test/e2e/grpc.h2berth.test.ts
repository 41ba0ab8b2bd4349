// The grpc suite again on berth's own HTTP/2 (--http2-engine berth, src/dataplane/http2/connection.ts).
process.env['BERTH_TEST_HTTP2_ENGINE'] = 'berth';
await import('./grpc.test.js');
