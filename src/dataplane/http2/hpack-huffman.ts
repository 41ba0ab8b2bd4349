/**
 * The HPACK Huffman code (RFC 7541 s5.2, Appendix B). The code is canonical: codes of one length
 * are consecutive and follow on from the shorter ones, so the bit length of each of the 257
 * symbols (256 octets and EOS) is all it takes to rebuild every code. Lengths are stored one
 * character per symbol, 'A' standing for 5 bits.
 */
const CODE_LENGTHS =
  'ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHF' +
  'IBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIX' +
  'PRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRS' +
  'VVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWV' +
  'Z';

const EOS = 256;
const MAX_BITS = 30;

/** Per bit length: how many codes have it, the first code of that length, where its symbols start. */
const count = new Int32Array(MAX_BITS + 1);
const first = new Int32Array(MAX_BITS + 1);
const offset = new Int32Array(MAX_BITS + 1);
/** Symbols ordered by (length, symbol): the canonical order. */
const symbols = new Uint16Array(257);
/** Each symbol's code and length, for the encoder. */
export const HUFFMAN_CODES = new Uint32Array(257);
export const HUFFMAN_LENGTHS = new Uint8Array(257);

for (let s = 0; s < 257; s++) {
  const len = CODE_LENGTHS.charCodeAt(s) - 65 + 5;
  HUFFMAN_LENGTHS[s] = len;
  count[len]!++;
}
{
  let code = 0;
  let at = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    first[len] = code;
    offset[len] = at;
    at += count[len]!;
    code = (code + count[len]!) * 2;
  }
  const next = Int32Array.from(first);
  const fill = Int32Array.from(offset);
  for (let len = 1; len <= MAX_BITS; len++) {
    for (let s = 0; s < 257; s++) {
      if (HUFFMAN_LENGTHS[s] !== len) continue;
      HUFFMAN_CODES[s] = next[len]!++;
      symbols[fill[len]!++] = s;
    }
  }
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * huffmanDecode: the octets `src[start, end)` encode, as a latin1 string, or null when they are
 * no valid Huffman string: EOS inside it, or padding longer than 7 bits or not made of EOS's
 * leading 1 bits (RFC 7541 s5.2: a COMPRESSION_ERROR for the caller).
 */
export function huffmanDecode(src: Buffer, start: number, end: number): string | null {
  // The shortest code is 5 bits: at most 8/5 symbols per octet.
  const most = (((end - start) * 8) / 5) | 0;
  if (scratch.length < most) scratch = Buffer.allocUnsafe(most * 2);
  const out = scratch;
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = start; i < end; i++) {
    const octet = src[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((octet >> bit) & 1);
      len++;
      const index = code - first[len]!;
      if (index >= 0 && index < count[len]!) {
        const symbol = symbols[offset[len]! + index]!;
        if (symbol === EOS) return null;
        out[n++] = symbol;
        code = 0;
        len = 0;
      } else if (len === MAX_BITS) return null;
    }
  }
  if (len > 7 || code !== (1 << len) - 1) return null;
  return out.toString('latin1', 0, n);
}
