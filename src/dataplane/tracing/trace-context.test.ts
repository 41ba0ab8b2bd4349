// Cases ported from the W3C Trace Context test suite, w3c/trace-context test/test.py
// (TraceContextTest: traceparent_* and tracestate_* cases; inputs and expected outcomes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceParent, newSpanId, newTraceId, normalizeTraceState, parseTraceParent } from './trace-context.js';

const TID = '12345678901234567890123456789012';
const valid = (v: string) => parseTraceParent(v)?.traceId === TID;

test('traceparent: valid inputs keep the trace id (version 00, future versions, OWS)', () => {
  const p = parseTraceParent(`00-${TID}-1234567890123456-01`)!;
  assert.deepEqual(p, { traceId: TID, parentId: '1234567890123456', sampled: true });
  assert.equal(parseTraceParent(`00-${TID}-1234567890123456-00`)!.sampled, false);
  for (const v of [
    `cc-${TID}-1234567890123456-01`,
    `cc-${TID}-1234567890123456-01-what-the-future-will-be-like`,
    ` 00-${TID}-1234567890123456-01`, `\t00-${TID}-1234567890123456-01`,
    `00-${TID}-1234567890123456-01 `, `00-${TID}-1234567890123456-01\t`, `\t 00-${TID}-1234567890123456-01 \t`,
  ]) assert.ok(valid(v), JSON.stringify(v));
});

test('traceparent: invalid inputs restart the trace', () => {
  for (const v of [
    `00-${TID}-1234567890123456-01.`,
    `00-${TID}-1234567890123456-01-what-the-future-will-be-like`,
    `cc-${TID}-1234567890123456-01.what-the-future-will-be-like`,
    `ff-${TID}-1234567890123456-01`,
    `.0-${TID}-1234567890123456-01`, `0.-${TID}-1234567890123456-01`,
    `000-${TID}-1234567890123456-01`, `0000-${TID}-1234567890123456-01`, `0-${TID}-1234567890123456-01`,
    '00-00000000000000000000000000000000-1234567890123456-01',
    '00-.2345678901234567890123456789012-1234567890123456-01', '00-1234567890123456789012345678901.-1234567890123456-01',
    '00-123456789012345678901234567890123-1234567890123456-01', '00-1234567890123456789012345678901-1234567890123456-01',
    `00-${TID}-0000000000000000-01`,
    `00-${TID}-.234567890123456-01`, `00-${TID}-123456789012345.-01`,
    `00-${TID}-12345678901234567-01`, `00-${TID}-123456789012345-01`,
    `00-${TID}-1234567890123456-.0`, `00-${TID}-1234567890123456-0.`,
    `00-${TID}-1234567890123456-001`, `00-${TID}-1234567890123456-1`,
    // test_traceparent_duplicated: node joins the two headers with ", ".
    `00-12345678901234567890123456789011-1234567890123456-01, 00-${TID}-1234567890123456-01`,
    `00-${TID.toUpperCase().replace(/1/g, 'A')}-1234567890123456-01`,
    '',
  ]) assert.equal(parseTraceParent(v), null, JSON.stringify(v));
  assert.equal(parseTraceParent(undefined), null);
});

test('tracestate: valid lists are forwarded, OWS and empty members removed, order kept', () => {
  assert.equal(normalizeTraceState('foo=1,bar=2'), 'foo=1,bar=2');
  // test_tracestate_multiple_headers_different_keys, joined by node.
  assert.equal(normalizeTraceState('foo=1,bar=2, rojo=1,congo=2, baz=3'), 'foo=1,bar=2,rojo=1,congo=2,baz=3');
  assert.equal(normalizeTraceState('foo=1 \t , \t bar=2, \t baz=3'), 'foo=1,bar=2,baz=3');
  for (const v of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t']) assert.equal(normalizeTraceState(v), 'foo=1');
  // test_tracestate_empty_header: an empty header joined with a real one.
  assert.equal(normalizeTraceState('foo=1, '), 'foo=1');
  assert.equal(normalizeTraceState(', foo=1'), 'foo=1');
  assert.equal(normalizeTraceState(''), null);
  // test_tracestate_all_allowed_characters
  const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  let value = '';
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
  assert.equal(normalizeTraceState(`${key}=${value}`), `${key}=${value}`);
  assert.equal(normalizeTraceState(`${key}@a-z0-9_-*/=${value}`), `${key}@a-z0-9_-*/=${value}`);
  // test_tracestate_member_count_limit, test_tracestate_key_length_limit
  const members = (n: number) => Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`).join(',');
  assert.equal(normalizeTraceState(members(32))?.split(',').length, 32);
  assert.equal(normalizeTraceState('foo=1,' + 'z'.repeat(256) + '=1'), 'foo=1,' + 'z'.repeat(256) + '=1');
  assert.ok(normalizeTraceState('foo=1,' + 't'.repeat(241) + '@' + 'v'.repeat(14) + '=1'));
});

test('tracestate: invalid lists are discarded whole', () => {
  for (const v of [
    'foo=1,foo=1', 'foo=1,foo=2', 'foo=1, foo=2',
    'foo =1', 'FOO=1', 'foo.bar=1',
    'foo@=1,bar=2', '@foo=1,bar=2', 'foo@@bar=1,bar=2', 'foo@bar@baz=1,bar=2',
    'foo=bar=baz', 'foo=,bar=3',
    'bar01=1,' + Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(','),
    'foo=1,' + 'z'.repeat(257) + '=1',
    'foo=1,' + 't'.repeat(242) + '@v=1',
    'foo=1,t@' + 'v'.repeat(15) + '=1',
  ]) assert.equal(normalizeTraceState(v), null, v.slice(0, 60));
  assert.equal(normalizeTraceState(undefined), null);
});

test('new ids are lowercase hex of the right length, never zero, and differ', () => {
  const traces = new Set<string>();
  const spans = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const t = newTraceId();
    const s = newSpanId();
    assert.match(t, /^[0-9a-f]{32}$/);
    assert.match(s, /^[0-9a-f]{16}$/);
    traces.add(t);
    spans.add(s);
  }
  assert.equal(traces.size, 1000);
  assert.equal(spans.size, 1000);
  const header = formatTraceParent(newTraceId(), newSpanId(), true);
  assert.ok(parseTraceParent(header)?.sampled);
});
