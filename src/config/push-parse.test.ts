import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largeConfig } from '../../test/helpers/large-config.js';
import { hashConfig, hashUpstream } from './hash.js';
import { parsePushedConfig } from './push-parse.js';
import { validateConfig } from './validate.js';

const bytes = (text: string) => new TextEncoder().encode(text);

test('a valid config comes back from the worker whole (across slices), hashed, with its upstream digests', async () => {
  const source = largeConfig(600, '127.0.0.1:9');
  const outcome = await parsePushedConfig(bytes(JSON.stringify(source)), 'application/json', 'none');
  assert.equal(outcome.type, 'valid');
  if (outcome.type !== 'valid') return;
  const local = validateConfig(structuredClone(source));
  assert.ok(local.ok);
  if (!local.ok) return;
  assert.deepEqual(outcome.config, local.config);
  assert.equal(outcome.hash, hashConfig(local.config));
  assert.equal(hashUpstream(outcome.config.upstreams![599]!), hashUpstream(structuredClone(local.config.upstreams![599]!)));
});

test('a config hashing like the live one is reported unchanged, without being sent back', async () => {
  const text = JSON.stringify(largeConfig(10, '127.0.0.1:9'));
  const first = await parsePushedConfig(bytes(text), 'application/json', 'none');
  assert.equal(first.type, 'valid');
  const again = await parsePushedConfig(bytes(text), 'application/json', first.type === 'valid' ? first.hash : '');
  assert.equal(again.type, 'unchanged');
});

test('invalid, malformed, too slow and too big each end in their outcome, never in a throw', async () => {
  const invalid = await parsePushedConfig(bytes('{"_format_version":"3.0","services":[{"name":"s"}]}'), 'application/json', 'none');
  assert.equal(invalid.type, 'invalid');
  const malformed = await parsePushedConfig(bytes('{"_format_version": '), 'application/json', 'none');
  assert.equal(malformed.type, 'malformed');
  const form = await parsePushedConfig(bytes(`config=${encodeURIComponent('_format_version: "3.0"\n')}`), 'application/x-www-form-urlencoded', 'none');
  assert.equal(form.type, 'valid');
  const big = bytes(JSON.stringify(largeConfig(3000, '127.0.0.1:9')));
  const slow = await parsePushedConfig(big, 'application/json', 'none', { timeoutMs: 1, maxHeapMb: 1024 });
  assert.deepEqual(slow, { type: 'malformed', message: 'parsing took longer than 1 ms' });
  const heavy = await parsePushedConfig(big, 'application/json', 'none', { timeoutMs: 60_000, maxHeapMb: 8 });
  assert.equal(heavy.type, 'too-large', JSON.stringify(heavy).slice(0, 200));
});

test('entities equal to live ones come back as those live objects; the changed ones as new objects', async () => {
  const first = await parsePushedConfig(bytes(JSON.stringify(largeConfig(600, '127.0.0.1:9'))), 'application/json', 'none');
  assert.equal(first.type, 'valid');
  if (first.type !== 'valid') return;
  const live = first.config;
  const source = largeConfig(600, '127.0.0.1:9', '', 42);
  const next = await parsePushedConfig(bytes(JSON.stringify(source)), 'application/json', first.hash, undefined, live);
  assert.equal(next.type, 'valid');
  if (next.type !== 'valid') return;
  const local = validateConfig(structuredClone(source));
  assert.ok(local.ok);
  if (!local.ok) return;
  assert.deepEqual(next.config, local.config);
  assert.equal(next.hash, hashConfig(local.config));
  next.config.upstreams!.forEach((u, i) => assert.equal(u === live.upstreams![i], i !== 42, `upstream ${i}`));
  next.config.services!.forEach((s, i) => assert.equal(s, live.services![i], `service ${i}`));
});
