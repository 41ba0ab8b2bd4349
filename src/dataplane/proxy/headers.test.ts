import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionListed, copyRequestHeaders, forwardedHeaders, hostWithoutPort } from './headers.js';

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

  test('forwardedHeaders appends to X-Forwarded-For and Via', () => {
    const h = forwardedHeaders('10.0.0.9', '1.2.3.4', '1.0 other', true, 'shop.example', 8443, '/p');
    assert.match(h, /^X-Forwarded-For: 1\.2\.3\.4, 10\.0\.0\.9\r\n/);
    assert.match(h, /X-Forwarded-Proto: https\r\n/);
    assert.match(h, /X-Forwarded-Host: shop\.example\r\nX-Forwarded-Port: 8443\r\nX-Forwarded-Path: \/p\r\n/);
    assert.match(h, /X-Real-IP: 10\.0\.0\.9\r\nVia: 1\.0 other, 1\.1 berth\r\n$/);
  });

  test('hostWithoutPort lowercases and strips the port, IPv6 included', () => {
    assert.equal(hostWithoutPort('Example.COM:8080'), 'example.com');
    assert.equal(hostWithoutPort('[::1]:80'), '[::1]');
    assert.equal(hostWithoutPort(undefined), '');
  });
});
