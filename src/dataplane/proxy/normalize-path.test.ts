import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizePath } from './normalize-path.js';

test('normalizePath resolves what could dodge a prefix route', () => {
  const cases: Array<[string, string]> = [
    ['/echo', '/echo'],
    ['/echo/', '/echo/'],
    ['/echo/../admin', '/admin'],
    ['/echo/./x', '/echo/x'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['//echo///x', '/echo/x'],
    ['/%65cho', '/echo'],
    ['/%2e%2e/admin', '/admin'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%2Fb%20c', '/a%2Fb%20c'],
    ['/', '/'],
    ['/..', '/'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizePath(input), expected, input);
});

test('normalizePath leaves a clean path as the very same string', () => {
  const clean = '/echo/some/path.txt';
  assert.equal(normalizePath(clean), clean);
});

test('normalizePath is idempotent and never leaves dot segments or double slashes', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', '.', '..', '', '%2e', '%2E%2e', '%41', '%2f', 'b.c'), { maxLength: 12 }), (parts) => {
      const once = normalizePath('/' + parts.join('/'));
      assert.equal(normalizePath(once), once);
      assert.ok(once.startsWith('/'));
      assert.ok(!/\/\.\.?(\/|$)/.test(once), once);
      assert.ok(!once.includes('//'), once);
    }),
    { numRuns: 500 },
  );
});
