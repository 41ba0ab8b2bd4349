import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildTlsContexts, NO_TLS } from '../proxy/tls.js';
import { isMisdirected } from './misdirected.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');

test('a host served with another certificate than the SNI chose is misdirected', () => {
  const contexts = buildTlsContexts([
    { cert: fixture('a.crt'), key: fixture('a.key'), snis: ['example.org', '*.wild.example'] },
    { cert: fixture('wild.crt'), key: fixture('wild.key'), snis: ['second-example.org'] },
  ], NO_TLS);
  assert.equal(isMisdirected(contexts, 'example.org', 'example.org'), false);
  assert.equal(isMisdirected(contexts, 'example.org', 'a.wild.example'), false, 'same certificate covers it');
  assert.equal(isMisdirected(contexts, 'example.org', 'second-example.org'), true);
  assert.equal(isMisdirected(contexts, 'second-example.org', 'example.org'), true);
  assert.equal(isMisdirected(contexts, undefined, 'second-example.org'), true, 'no SNI: the default certificate');
  assert.equal(isMisdirected(contexts, 'example.org', 'unknown.test'), false, 'both fall back to the default');
  assert.equal(isMisdirected(NO_TLS, 'a', 'b'), false);
});
