import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionListed, copyRequestHeaders, hostWithoutPort } from './headers.js';

describe('proxy headers', () => {
  test('copyRequestHeaders drops hop-by-hop, Host and X-Forwarded-*, keeps case of the rest', () => {
    const raw = ['Host', 'h', 'Connection', 'keep-alive', 'X-Forwarded-For', '1.1.1.1', 'User-Agent', 'ua', 'TE', 'x', 'Cookie', 'a=1', 'VIA', 'v'];
    assert.equal(copyRequestHeaders(raw, null), 'User-Agent: ua\r\nCookie: a=1\r\n');
  });

  test('headers named in Connection are hop-by-hop too', () => {
    const extra = connectionListed('keep-alive, X-Secret , close');
    assert.deepEqual([...extra!], ['x-secret']);
    assert.equal(copyRequestHeaders(['x-secret', '1', 'X-Other', '2'], extra), 'X-Other: 2\r\n');
    assert.equal(connectionListed('keep-alive'), null);
    assert.equal(connectionListed(undefined), null);
  });

  test('hostWithoutPort lowercases and strips the port, IPv6 included', () => {
    assert.equal(hostWithoutPort('Example.COM:8080'), 'example.com');
    assert.equal(hostWithoutPort('[::1]:80'), '[::1]');
    assert.equal(hostWithoutPort(undefined), '');
  });
});
