import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  SessionKeyring,
  TOKEN_LENGTH,
  encodeSessionToken,
  loadSessionSecrets,
  sessionIdsOf,
  verifySessionToken,
} from './token.js';

const ring = SessionKeyring.fromSecrets(['first-secret-0123456789']);
const NOW = 1_800_000_000;

test('a value verifies to the session id of its identity and names no address', () => {
  const value = encodeSessionToken(ring, '10.0.0.1:8080');
  assert.equal(value.length, TOKEN_LENGTH);
  assert.match(value, /^[A-Za-z0-9_-]+$/);
  assert.ok(!Buffer.from(value, 'base64url').toString('latin1').includes('10.0.0.1'));
  assert.equal(verifySessionToken(ring, value, NOW), sessionIdsOf(ring, '10.0.0.1:8080')[0]);
});

test('two processes with the same secret produce the same value; other secrets do not verify it', () => {
  const a = SessionKeyring.fromSecrets(['shared-secret-abcdefgh']);
  const b = SessionKeyring.fromSecrets(['shared-secret-abcdefgh']);
  assert.equal(encodeSessionToken(a, 'pod-uid-1'), encodeSessionToken(b, 'pod-uid-1'));
  const other = SessionKeyring.fromSecrets(['another-secret-abcdefgh']);
  assert.equal(verifySessionToken(other, encodeSessionToken(a, 'pod-uid-1'), NOW), null);
  assert.equal(verifySessionToken(SessionKeyring.random(), encodeSessionToken(a, 'pod-uid-1'), NOW), null);
});

test('a new pod reusing an address gets a different value', () => {
  assert.notEqual(encodeSessionToken(ring, 'uid-old'), encodeSessionToken(ring, 'uid-new'));
  assert.notEqual(sessionIdsOf(ring, 'uid-old')[0], sessionIdsOf(ring, 'uid-new')[0]);
});

test('rotation: the first key signs, every key verifies', () => {
  const old = SessionKeyring.fromSecrets(['old-secret-0123456789']);
  const rotated = SessionKeyring.fromSecrets(['new-secret-0123456789', 'old-secret-0123456789']);
  const oldValue = encodeSessionToken(old, 'uid-1');
  assert.equal(verifySessionToken(rotated, oldValue, NOW), sessionIdsOf(rotated, 'uid-1')[1]);
  const newValue = encodeSessionToken(rotated, 'uid-1');
  assert.notEqual(newValue, oldValue);
  assert.equal(verifySessionToken(rotated, newValue, NOW), sessionIdsOf(rotated, 'uid-1')[0]);
  assert.equal(verifySessionToken(old, newValue, NOW), null);
});

test('expiry is signed in: valid before, null at and after', () => {
  const value = encodeSessionToken(ring, 'uid-1', NOW + 300);
  assert.equal(verifySessionToken(ring, value, NOW + 299), sessionIdsOf(ring, 'uid-1')[0]);
  assert.equal(verifySessionToken(ring, value, NOW + 300), null);
  assert.equal(verifySessionToken(ring, value, NOW + 10_000), null);
});

test('malformed, oversized and non-string values are null', () => {
  const value = encodeSessionToken(ring, 'uid-1');
  for (const bad of ['', 'x', value + 'A', value.slice(1), value.replace(/./, '!'), 'A'.repeat(300), value + '=']) {
    assert.equal(verifySessionToken(ring, bad, NOW), null, bad);
  }
  assert.equal(verifySessionToken(ring, undefined as unknown as string, NOW), null);
  assert.equal(verifySessionToken(ring, 42 as unknown as string, NOW), null);
});

test('property: random strings and random bytes never verify and never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => verifySessionToken(ring, s, NOW) === null),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 60 }), (bytes) => {
      const s = Buffer.from(bytes).toString('base64url');
      return verifySessionToken(ring, s, NOW) === null;
    }),
    { numRuns: 2000 },
  );
  // Right length and alphabet, version byte and all: still needs the MAC.
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 39, maxLength: 39 }), (bytes) => {
      bytes[0] = 1;
      return verifySessionToken(ring, Buffer.from(bytes).toString('base64url'), NOW) === null;
    }),
    { numRuns: 2000 },
  );
});

test('property: truncations and single bit flips of valid values fail', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), fc.nat(7), (identity, pos, bit) => {
      const value = encodeSessionToken(ring, identity, NOW + 1000);
      const bytes = Buffer.from(value, 'base64url');
      bytes[pos % bytes.length]! ^= 1 << bit;
      const flipped = bytes.toString('base64url');
      const truncated = value.slice(0, pos % value.length);
      return verifySessionToken(ring, flipped, NOW) === null && verifySessionToken(ring, truncated, NOW) === null;
    }),
    { numRuns: 1000 },
  );
});

test('property: a character substitution anywhere in the string fails', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const value = encodeSessionToken(ring, 'uid-1');
  fc.assert(
    fc.property(fc.nat(TOKEN_LENGTH - 1), fc.nat(63), (pos, c) => {
      const ch = alphabet[c]!;
      fc.pre(ch !== value[pos]);
      const changed = value.slice(0, pos) + ch + value.slice(pos + 1);
      return verifySessionToken(ring, changed, NOW) === null;
    }),
    { numRuns: 1000 },
  );
});

test('property: values from another key fail; a value for A never resolves to B', () => {
  const other = SessionKeyring.fromSecrets(['unrelated-secret-xyz-123']);
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), fc.string({ maxLength: 64 }), (a, b) => {
      fc.pre(a !== b);
      const value = encodeSessionToken(ring, a);
      const id = verifySessionToken(ring, value, NOW);
      return (
        verifySessionToken(other, value, NOW) === null &&
        id === sessionIdsOf(ring, a)[0] &&
        id !== sessionIdsOf(ring, b)[0]
      );
    }),
    { numRuns: 500 },
  );
});

test('loadSessionSecrets: flag list, file, env, and the random fallback warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-secret-'));
  const file = join(dir, 'secrets');
  writeFileSync(file, 'file-secret-0123456789\r\n\n  second-file-secret-012345  \n');
  const fromFlag = loadSessionSecrets({ secret: 'flag-secret-0123456789, old-flag-secret-012345' });
  assert.equal(fromFlag.keyring.keys.length, 2);
  assert.equal(fromFlag.keyring.generated, false);
  assert.equal(fromFlag.warning, undefined);
  const same = SessionKeyring.fromSecrets(['flag-secret-0123456789']);
  assert.equal(encodeSessionToken(fromFlag.keyring, 'u'), encodeSessionToken(same, 'u'));

  const fromFile = loadSessionSecrets({ secretFile: file });
  assert.equal(fromFile.keyring.keys.length, 2);
  const fromEnv = loadSessionSecrets({ env: { BERTH_SESSION_SECRET_FILE: file } });
  assert.equal(encodeSessionToken(fromEnv.keyring, 'u'), encodeSessionToken(fromFile.keyring, 'u'));
  const envList = loadSessionSecrets({ env: { BERTH_SESSION_SECRET: 'env-secret-0123456789' } });
  assert.equal(envList.keyring.generated, false);

  const none = loadSessionSecrets({ env: {} });
  assert.equal(none.keyring.generated, true);
  assert.match(none.warning ?? '', /replicas will not agree/);
  assert.match(loadSessionSecrets({ secret: 'short' }).warning ?? '', /shorter/);
  assert.throws(() => loadSessionSecrets({ secretFile: join(dir, 'missing') }), /cannot read session secret file/);
  assert.throws(() => SessionKeyring.fromSecrets([' ', '']), /at least one/);
});
