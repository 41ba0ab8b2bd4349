import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyError } from '../proxy/errors.js';
import { encodeGrpcMessage, grpcErrorHeaders, grpcStatusOf, isGrpc } from './grpc-status.js';

test('isGrpc follows the content types of PROTOCOL-HTTP2.md', () => {
  for (const ct of ['application/grpc', 'application/grpc+proto', 'Application/GRPC+json', 'application/grpc; charset=utf-8']) assert.ok(isGrpc(ct), ct);
  for (const ct of [undefined, '', 'application/json', 'application/grpc-web', 'application/grpc-web+proto', 'application/grpcx']) assert.ok(!isGrpc(ct), String(ct));
});

test('no target and connect failures are UNAVAILABLE (14), timeouts DEADLINE_EXCEEDED (4)', () => {
  assert.equal(grpcStatusOf(new ProxyError('NO_PEER')), 14);
  assert.equal(grpcStatusOf(new ProxyError('CONNECT_FAILED')), 14);
  assert.equal(grpcStatusOf(new ProxyError('UPSTREAM_RESET')), 14);
  assert.equal(grpcStatusOf(new ProxyError('CONNECT_TIMEOUT')), 4);
  assert.equal(grpcStatusOf(new ProxyError('READ_TIMEOUT')), 4);
  assert.equal(grpcStatusOf(new ProxyError('NO_ROUTE')), 12);
  assert.equal(grpcStatusOf(new Error('bug')), 13);
});

test('the Trailers-Only response is HTTP 200 with grpc-status and an encoded message', () => {
  assert.deepEqual(grpcErrorHeaders(new ProxyError('READ_TIMEOUT')), {
    ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '4', 'grpc-message': 'The upstream server is timing out',
  });
  assert.equal(encodeGrpcMessage('50% off\né'), '50%25 off%0A%C3%A9');
});
