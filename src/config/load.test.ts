import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLoadError, ConfigParseError, loadConfigFile, parseConfigText } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-load-'));

test('parseConfigText: YAML and JSON', () => {
  assert.deepEqual(parseConfigText('a: 1\nb: [x]\n'), { a: 1, b: ['x'] });
  assert.deepEqual(parseConfigText('{"a": {"b": true}}'), { a: { b: true } });
});

test('parseConfigText: malformed text names line and column', () => {
  assert.throws(() => parseConfigText('a: 1\n  b: : [\n'), (err: unknown) => err instanceof ConfigParseError && /line \d+, column \d+/.test(err.message));
  assert.throws(() => parseConfigText('a: 1\na: 2\n'), ConfigParseError);
});

test('parseConfigText: hostile nesting is a parse error, not a crash', () => {
  const hostile = ['['.repeat(100000), `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`, `${'- '.repeat(20000)}x`,
    Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')];
  for (const text of hostile) {
    for (let i = 0; i < 3; i++) assert.throws(() => parseConfigText(text), /nested too deeply/);
  }
  const comments = '# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n'.repeat(5);
  assert.deepEqual(parseConfigText(`${comments}x: Bob's [\ny: ok\n`), { x: "Bob's [", y: 'ok' });
  assert.throws(() => parseConfigText(`a: Bob's\nb: ${'['.repeat(5000)}`), /nested too deeply/);
  assert.deepEqual(parseConfigText('a: "[[[[{{{{"\nb: \'[[[[\'\nc: [[1], {d: [2]}]\n'), { a: '[[[[{{{{', b: '[[[[', c: [[1], { d: [2] }] });
  assert.throws(() => parseConfigText('a: 1\n---\nb: 2\n'), /line 2, column 1/);
});

test('loadConfigFile: valid file is normalized', () => {
  const file = join(dir, 'ok.yaml');
  writeFileSync(file, '_format_version: "3.0"\nservices:\n- name: s\n  host: example.com\n  routes:\n  - name: r\n    paths: [/x]\n');
  const config = loadConfigFile(file);
  assert.equal(config.services?.[0]?.port, 80);
  assert.equal(config.services?.[0]?.routes?.[0]?.strip_path, true);
});

test('loadConfigFile: lists every field error, one per line', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, '_format_version: "3.0"\nservices:\n- name: s\n  port: 70000\n  routes:\n  - name: r\n    paths: [x]\n');
  assert.throws(() => loadConfigFile(file), (err: unknown) => {
    assert.ok(err instanceof ConfigLoadError);
    assert.match(err.message, /service "s": host: required field missing/);
    assert.match(err.message, /service "s": port: value should be between 0 and 65535/);
    assert.match(err.message, /route "r": paths\.0: should start with/);
    return true;
  });
  assert.throws(() => loadConfigFile(join(dir, 'missing.yaml')), ConfigLoadError);
  writeFileSync(join(dir, 'garbage.yaml'), 'a: [\n');
  assert.throws(() => loadConfigFile(join(dir, 'garbage.yaml')), ConfigLoadError);
});

test('parseConfigText: random text either parses or throws ConfigParseError', async () => {
  const fc = (await import('fast-check')).default;
  const chars = fc.constantFrom('[', ']', '{', '}', '"', "'", ':', '-', ' ', '\n', '#', 'a', '1', '&x', '*x', '!!', '|', '>', ',', '?', '\\');
  fc.assert(fc.property(fc.oneof(fc.string(), fc.array(chars, { maxLength: 200 }).map((a) => a.join(''))), (text) => {
    try {
      parseConfigText(text);
    } catch (err) {
      assert.ok(err instanceof ConfigParseError, String(err));
    }
  }), { numRuns: 2000 });
});
