// HTTPRoute rule timeouts and retry onto service fields (apis/v1/httproute_types.go
// HTTPRouteTimeouts, HTTPRouteRetry; cases from conformance/tests/httproute-timeout-*.yaml and
// httproute-retry*.yaml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleFields } from './rule-fields.js';

const MAX = 2147483646;

test('timeouts: request bounds the whole exchange, backendRequest each try; 0s switches off', () => {
  assert.deepEqual(ruleFields({ timeouts: { request: '500ms' } }), { read_timeout: 500, write_timeout: 500, request_timeout: 500 });
  assert.deepEqual(ruleFields({ timeouts: { backendRequest: '500ms' } }), { read_timeout: 500, write_timeout: 500, backend_request_timeout: 500 });
  assert.deepEqual(ruleFields({ timeouts: { request: '0s' } }), { read_timeout: MAX, write_timeout: MAX });
  assert.deepEqual(ruleFields({ timeouts: { backendRequest: '0s' } }), { read_timeout: MAX, write_timeout: MAX });
  assert.deepEqual(ruleFields({ timeouts: { request: '400ms', backendRequest: '200ms' } }),
    { read_timeout: 200, write_timeout: 200, request_timeout: 400, backend_request_timeout: 200 });
  assert.equal(ruleFields({}), undefined);
  assert.equal(ruleFields({ timeouts: {} }), undefined);
});

test('retry: attempts are retries, codes a set, backoff a duration; a stanza without codes still retries errors', () => {
  assert.deepEqual(ruleFields({ retry: { codes: [500, 502, 500], attempts: 2, backoff: '100ms' } }), { retries: 2, retry_statuses: [500, 502], retry_backoff: 100 });
  assert.deepEqual(ruleFields({ retry: { attempts: 3 } }), { retries: 3, retry_statuses: [] });
  assert.deepEqual(ruleFields({ retry: {} }), { retry_statuses: [] });
});

test('invalid values are messages, never guesses', () => {
  assert.match(String(ruleFields({ timeouts: { request: '1d' } })), /not a Gateway API duration/);
  assert.match(String(ruleFields({ retry: { codes: [200] } })), /400\.\.599/);
  assert.match(String(ruleFields({ retry: { attempts: 0 } })), /1\.\.32767/);
  assert.match(String(ruleFields({ retry: { backoff: 'soon' } })), /not a Gateway API duration/);
});
