import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse, ProxyError, toProxyError } from './errors.js';

describe('proxy errors', () => {
  test('codes map to Kong statuses and bodies in one place', () => {
    const cases: Array<[ConstructorParameters<typeof ProxyError>[0], number, string]> = [
      ['NO_ROUTE', 404, 'no Route matched with those values'],
      ['NO_PEER', 503, 'failure to get a peer from the ring-balancer'],
      ['CONNECT_FAILED', 502, 'An invalid response was received from the upstream server'],
      ['BAD_UPSTREAM_RESPONSE', 502, 'An invalid response was received from the upstream server'],
      ['UPSTREAM_UNAVAILABLE', 503, 'upstream connect error or disconnect/reset before headers'],
      ['READ_TIMEOUT', 504, 'The upstream server is timing out'],
      ['CONNECT_TIMEOUT', 504, 'The upstream server is timing out'],
    ];
    for (const [code, status, message] of cases) {
      const r = errorResponse(new ProxyError(code));
      assert.equal(r.status, status);
      assert.deepEqual(JSON.parse(r.body), { message });
    }
    assert.equal(errorResponse(new Error('boom')).status, 500);
  });

  test('socket errors are classified; connection refusals may be retried', () => {
    const refused = toProxyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), true);
    assert.equal(refused.code, 'CONNECT_FAILED');
    assert.equal(refused.beforeSend, true);
    assert.equal(toProxyError(Object.assign(new Error('x'), { code: 'ECONNRESET' }), false).code, 'UPSTREAM_RESET');
    assert.equal(new ProxyError('READ_TIMEOUT').isTimeout, true);
  });
});
