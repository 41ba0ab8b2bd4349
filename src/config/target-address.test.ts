import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetAddress, targetIdentity } from './target-address.js';

test('parseTargetAddress: host, port, IPv6, defaults', () => {
  assert.deepEqual(parseTargetAddress('10.0.0.1:8080'), { host: '10.0.0.1', port: 8080 });
  assert.deepEqual(parseTargetAddress('Echo.Svc'), { host: 'echo.svc', port: 8000 });
  assert.deepEqual(parseTargetAddress('[fd00::1]:9000'), { host: 'fd00::1', port: 9000 });
  assert.deepEqual(parseTargetAddress('[fd00::1]'), { host: 'fd00::1', port: 8000 });
  assert.deepEqual(parseTargetAddress('fd00::1'), { host: 'fd00::1', port: 8000 });
});

test('parseTargetAddress: rejects malformed addresses', () => {
  for (const bad of ['', ':80', 'a:b', 'host:99999', '[fd00::1', '[fd00::1]x', 'bad host:80', '[]:80', 'a:-1']) {
    assert.throws(() => parseTargetAddress(bad), Error, bad);
  }
});

test('targetIdentity: identity tag wins, else normalized address', () => {
  assert.equal(targetIdentity({ target: '10.0.0.1:80', tags: ['x', 'berth.identity=uid-1'] }), 'uid-1');
  assert.equal(targetIdentity({ target: '10.0.0.1' }), '10.0.0.1:8000');
  assert.equal(targetIdentity({ target: '[FD00::1]:80', tags: ['berth.identity='] }), '[fd00::1]:80');
});
