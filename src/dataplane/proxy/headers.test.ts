import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { connectionListed, copyRequestHeaders, equalsLowercase, hostWithoutPort } from './headers.js';

describe('proxy headers', () => {
  test('equalsLowercase is toLowerCase() === lower for Latin-1 text (what heads are decoded as)', () => {
    const lowers = ['content-length', 'date', 'keep-alive', 'close', 'connection', 'upgrade', 'transfer-encoding'];
    assert.ok(equalsLowercase('Content-LENGTH', 'content-length'));
    assert.ok(!equalsLowercase('content-lengtH ', 'content-length'));
    // '-' | 0x20 is '-', and '\r' | 0x20 is '-': only letters may fold.
    assert.ok(!equalsLowercase('keep\ralive', 'keep-alive'));
    assert.ok(!equalsLowercase('KEEP\u00adALIVE', 'keep-alive'));
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 });
    const nearly = fc.constantFrom(...lowers).chain((l) => fc.array(fc.boolean(), { minLength: l.length, maxLength: l.length })
      .map((up) => [...l].map((c, i) => (up[i] ? c.toUpperCase() : c)).join('')));
    fc.assert(fc.property(fc.oneof(latin1, nearly), fc.constantFrom(...lowers), (name, lower) => {
      assert.equal(equalsLowercase(name, lower), name.toLowerCase() === lower);
    }), { numRuns: 3_000 });
  });

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
