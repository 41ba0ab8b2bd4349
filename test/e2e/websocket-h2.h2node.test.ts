// The websocket-h2 suite again on node's http2 (--http2-engine node; berth's own is the default).
process.env['BERTH_TEST_HTTP2_ENGINE'] = 'node';
await import('./websocket-h2.test.js');
