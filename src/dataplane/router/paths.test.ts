import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstSegment, joinPath, literalPrefix, pathSegmentKey } from './paths.js';

test('literalPrefix: stops at the first non-literal, drops a quantified last char', () => {
  const cases: Array<[string, string]> = [
    ['/api/v\\d+', '/api/v'], ['^/echo$', '/echo'], ['/a\\.b', '/a.b'], ['/ab?c', '/a'], ['/a+', '/a'],
    ['/x|/y', ''], ['(?<id>\\d+)', ''], ['/a{2}', '/'], ['/a[bc]', '/a'], ['\\/v1', '/v1'],
  ];
  for (const [src, expected] of cases) assert.equal(literalPrefix(src), expected, src);
});

test('literalPrefix: every match of the regex starts with it', () => {
  const src = '/api/v\\d+/(?<x>\\w+)';
  const re = new RegExp(`^(?:${src})`);
  for (const p of ['/api/v1/a', '/api/v22/bb']) assert.ok(re.test(p) && p.startsWith(literalPrefix(src)));
});

test('joinPath: one slash between base and rest, leading slash always', () => {
  assert.equal(joinPath(undefined, ''), '/');
  assert.equal(joinPath(undefined, 'x'), '/x');
  assert.equal(joinPath('/', '/x'), '/x');
  assert.equal(joinPath('/s', 'x'), '/s/x');
  assert.equal(joinPath('/s/', '/x'), '/s/x');
  assert.equal(joinPath('/s', ''), '/s');
});

test('pathSegmentKey: only when every matching path has that first segment', () => {
  const cases: Array<[string, string | null]> = [
    ['/echo/', 'echo'], ['/echo', null], ['/', null], ['/a/b/c', 'a'], ['~/echo$', 'echo'], ['~^/echo$', 'echo'],
    ['~/echo', null], ['~/svc1/(?<id>\\d+)', 'svc1'], ['~/echo/?$', null], ['~/e.ho/', null], ['~/a|/b/', null], ['~/v\\d+/x', null],
  ];
  for (const [path, key] of cases) assert.equal(pathSegmentKey(path), key, path);
  assert.equal(firstSegment('/a/b'), 'a');
  assert.equal(firstSegment('/a'), 'a');
  assert.equal(firstSegment('/'), '');
  assert.equal(firstSegment(''), '');
});
