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
