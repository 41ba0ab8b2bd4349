import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHeaderOps, compileHeaderOps } from './header-ops.js';
import { replacePrefix } from './request-transformer.js';
import { compilePlugins, type PluginRequest } from './index.js';

describe('transformer header operations', () => {
  test('remove, rename, replace, add, append in Kong order, case-insensitive names', () => {
    const ops = compileHeaderOps({
      remove: { headers: ['X-Drop'] },
      rename: { headers: ['X-Old:X-New'] },
      replace: { headers: ['X-Rep:new', 'X-Absent:never'] },
      add: { headers: ['X-Add:1', 'x-rep:ignored'] },
      append: { headers: ['X-App:a'] },
    });
    const list = ['x-drop', '1', 'x-old', 'v', 'X-Rep', 'old', 'X-App', 'first'];
    applyHeaderOps(list, ops);
    assert.deepEqual(list, ['X-New', 'v', 'X-App', 'first', 'X-Rep', 'new', 'X-Add', '1', 'X-App', 'a']);
  });

  test('entries that would inject headers are dropped at compile time', () => {
    const ops = compileHeaderOps({ add: { headers: ['X-A:ok\r\nX-Evil: 1', 'Bad Name:x', 'X-Good:fine'] } });
    assert.deepEqual(ops.add, [['X-Good', 'fine']]);
  });
});

describe('request-transformer path rewrites', () => {
  test('replacePrefix swaps whole leading segments only', () => {
    assert.equal(replacePrefix('/old/x', '/old', '/new'), '/new/x');
    assert.equal(replacePrefix('/old', '/old', '/new'), '/new');
    assert.equal(replacePrefix('/older', '/old', '/new'), '/older');
    assert.equal(replacePrefix('/old/x', '/old', '/'), '/x');
    assert.equal(replacePrefix('/old/x', '/old/', '/new/'), '/new/x');
  });
});

describe('compilePlugins', () => {
  test('no plugins compile to null; a disabled route plugin switches off the service one', () => {
    const service = { name: 's', host: 'h', plugins: [{ name: 'redirect' as const, config: { location: 'https://x' } }] };
    assert.equal(compilePlugins({ name: 'r' }, { name: 's', host: 'h' }), null);
    assert.notEqual(compilePlugins({ name: 'r' }, service), null);
    const off = { name: 'r', plugins: [{ name: 'redirect' as const, enabled: false, config: { location: 'https://x' } }] };
    assert.equal(compilePlugins(off, service), null);
  });
});

describe('response-transformer', () => {
  test('cannot set or rename onto the response framing headers (Content-Length, Transfer-Encoding)', () => {
    const plugins = compilePlugins(
      {
        name: 'r',
        plugins: [{
          name: 'response-transformer' as const,
          config: {
            replace: { headers: ['Content-Length:0'] },
            add: { headers: ['Transfer-Encoding:chunked', 'X-Added:1'] },
            append: { headers: ['content-length:5'] },
            rename: { headers: ['X-Len:Content-Length'] },
          },
        }],
      },
      { name: 's', host: 'h' },
    )!;
    const headers = ['Content-Length', '12', 'X-Len', '3'];
    plugins.response(pluginRequest(), headers);
    assert.deepEqual(headers, ['Content-Length', '12', 'X-Len', '3', 'X-Added', '1']);
  });
});

function pluginRequest(): PluginRequest {
  return {
    method: 'GET', url: '/', path: '/', query: '', host: 'h', headers: {}, rawHeaders: [],
    tls: false, clientIp: '127.0.0.1', entryPoint: null, requestHeaders: null, upstreamPath: '/',
  };
}
