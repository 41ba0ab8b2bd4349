// HPACK (RFC 7541) decoder and encoder. The vectors are RFC 7541 Appendix C (C.2 field
// representations, C.3/C.4 requests without/with Huffman, C.5/C.6 responses without/with Huffman
// and a 256-octet table, so that C.5.2+ evict), decoded on one decoder per sequence as the RFC does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackEncoder } from './hpack.js';

const LIMIT = 1 << 20;
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pairs = (flat: string[] | null): [string, string][] => {
  assert.ok(flat !== null);
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};
function decode(d: HpackDecoder, block: string): [string, string][] {
  const buf = hex(block);
  return pairs(d.decode(buf, 0, buf.length, LIMIT));
}

test('C.2: literal with indexing, without indexing, never indexed, indexed', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decode(d, '400a637573746f6d2d6b65790d637573746f6d2d686561646572'), [['custom-key', 'custom-header']]);
  assert.equal(d.dynamicSize, 55);
  const d2 = new HpackDecoder();
  assert.deepEqual(decode(d2, '040c2f73616d706c652f70617468'), [[':path', '/sample/path']]);
  assert.equal(d2.dynamicSize, 0);
  assert.deepEqual(decode(new HpackDecoder(), '100870617373776f726406736563726574'), [['password', 'secret']]);
  assert.deepEqual(decode(new HpackDecoder(), '82'), [[':method', 'GET']]);
});

const REQUESTS: [string, string, string][] = [
  // C.3 (no Huffman) and C.4 (Huffman) encode the same three requests.
  ['828684410f7777772e6578616d706c652e636f6d', '828684418cf1e3c2e5f23a6ba0ab90f4ff', ''],
  ['828684be58086e6f2d6361636865', '828684be5886a8eb10649cbf', ''],
  ['828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf', ''],
];
const REQUEST_FIELDS: [string, string][][] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const REQUEST_TABLE_SIZES = [57, 110, 164];

for (const [name, column] of [['C.3 requests without Huffman', 0], ['C.4 requests with Huffman', 1]] as const) {
  test(name, () => {
    const d = new HpackDecoder();
    REQUESTS.forEach((blocks, i) => {
      assert.deepEqual(decode(d, blocks[column]), REQUEST_FIELDS[i]);
      assert.equal(d.dynamicSize, REQUEST_TABLE_SIZES[i]);
    });
  });
}

const RESPONSES: [string, string][] = [
  ['4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
    '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3'],
  ['4803333037c1c0bf', '4883640effc1c0bf'],
  ['88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
    '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007'],
];
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RESPONSE_FIELDS: [string, string][][] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'], ['set-cookie', COOKIE]],
];
const RESPONSE_TABLE_SIZES = [222, 222, 215];

for (const [name, column] of [['C.5 responses without Huffman, 256-octet table', 0], ['C.6 responses with Huffman, 256-octet table', 1]] as const) {
  test(name, () => {
    // The peer's encoder works with 256 octets: it says so with a size update first (s6.3).
    const d = new HpackDecoder(4096);
    const resize = hex('3fe101'); // size update to 256
    assert.deepEqual(d.decode(resize, 0, resize.length, LIMIT), []);
    RESPONSES.forEach((blocks, i) => {
      assert.deepEqual(decode(d, blocks[column]), RESPONSE_FIELDS[i]);
      assert.equal(d.dynamicSize, RESPONSE_TABLE_SIZES[i]);
    });
  });
}

test('malformed blocks are refused, never thrown', () => {
  const bad = [
    '80', // index 0 (s6.1)
    'be', // dynamic index 62 on an empty table
    'ff80808080808080', // integer past any bound
    'ff', // truncated integer
    '410f7777', // string past the block
    '4188ffffffffffffffff', // Huffman string that is EOS (s5.2)
    '418cf1e3c2e5f23a6ba0ab90f4fe', // padding not made of 1 bits
    '4182f1ff', // padding of 8 or more bits
    '823f', // size update after a field (s4.2)
    '3fe21f', // size update past our SETTINGS_HEADER_TABLE_SIZE
  ];
  for (const block of bad) {
    const d = new HpackDecoder(4096);
    const buf = hex(block);
    assert.equal(d.decode(buf, 0, buf.length, LIMIT), null, block);
    assert.notEqual(d.error, '', block);
  }
});

test('size update to 0 empties the table; an entry larger than the table is dropped (s4.4)', () => {
  const d = new HpackDecoder();
  decode(d, '400a637573746f6d2d6b65790d637573746f6d2d686561646572');
  assert.equal(d.dynamicSize, 55);
  assert.deepEqual(decode(d, '20'), []);
  assert.equal(d.dynamicSize, 0);
  assert.deepEqual(decode(d, '3f1a'), []); // back to 57 octets: custom-key/custom-header (55) fits
  decode(d, '400a637573746f6d2d6b65790d637573746f6d2d686561646572');
  assert.equal(d.dynamicSize, 55);
  decode(d, '400b637573746f6d2d6b6579780d637573746f6d2d686561646572'); // 56 octets: evicts the first
  assert.equal(d.dynamicSize, 56);
  assert.deepEqual(decode(d, 'be'), [['custom-keyx', 'custom-header']]);
});

test('header list size: fields past the limit are dropped and flagged, the table still follows', () => {
  const d = new HpackDecoder();
  const buf = hex('828684410f7777772e6578616d706c652e636f6d');
  const fields = d.decode(buf, 0, buf.length, 100);
  assert.equal(d.overflow, true);
  assert.ok(fields !== null && fields.length < 8);
  assert.equal(d.dynamicSize, 57);
  assert.deepEqual(decode(d, 'be'), [[':authority', 'www.example.com']]);
});

test('encoder: static references, literals, long strings; our decoder reads them back', () => {
  const e = new HpackEncoder();
  const d = new HpackDecoder();
  const long = 'x'.repeat(5000);
  const fields = [':status', '200', 'content-type', 'application/grpc', 'x-custom', long, ':status', '418', 'accept-encoding', 'gzip, deflate'];
  for (let round = 0; round < 3; round++) {
    const block = e.encode(fields);
    assert.deepEqual(d.decode(block, 0, block.length, LIMIT), fields);
    assert.equal(d.dynamicSize, 0);
  }
  // The first block announces an empty table; later ones do not repeat it.
  assert.equal(e.encode([':status', '200']).toString('hex'), '88');
  assert.equal(new HpackEncoder().encode([':status', '200']).toString('hex'), '2088');
});

// http2jp/hpack-test-case stories (test/fixtures/hpack-test-case/README.md): each story is one
// connection's header blocks from a real encoder; decoding them in order on one decoder must give
// each case's header list (static and dynamic references, eviction, size updates, Huffman).
const STORIES = new URL('../../../test/fixtures/hpack-test-case/', import.meta.url);

interface Story { cases: { header_table_size?: number; wire: string; headers: Record<string, string>[] }[] }

test('hpack-test-case stories from eleven encoders decode to their header lists', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  let blocks = 0;
  for (const encoder of readdirSync(STORIES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const file of readdirSync(new URL(`${encoder}/`, STORIES))) {
      const story = JSON.parse(readFileSync(new URL(`${encoder}/${file}`, STORIES), 'utf8')) as Story;
      // The limit is our SETTINGS_HEADER_TABLE_SIZE: the largest the story's peer was allowed.
      const limit = Math.max(4096, ...story.cases.map((c) => c.header_table_size ?? 0));
      const d = new HpackDecoder(limit);
      story.cases.forEach((c, i) => {
        const expected = c.headers.map((h) => Object.entries(h)[0]!);
        assert.deepEqual(decode(d, c.wire), expected, `${encoder}/${file} case ${i}`);
        blocks++;
      });
    }
  }
  assert.ok(blocks >= 130, `${blocks} blocks`);
});
