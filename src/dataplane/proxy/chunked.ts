import { hexValue } from './response-head.js';

/**
 * ChunkedDecoder: the chunked transfer coding of a response body (RFC 9112 s7.1), as strict as
 * llhttp without lenient flags (nodejs/llhttp src/llhttp/http.ts, `chunk_*` states): every line
 * ends in CRLF (no bare LF, no repeated CR), no whitespace around the size, chunk extensions are
 * `;name[=token|"quoted"]` with no control bytes, trailers are well-formed header lines. Data
 * bytes are handed out as slices of the input, never copied.
 */
const enum S {
  SizeStart,
  Size,
  ExtStart,
  ExtName,
  ExtValue,
  ExtQuoted,
  ExtQuotedPair,
  ExtQuotedDone,
  SizeLF,
  Data,
  DataCR,
  DataLF,
  TrailerStart,
  TrailerName,
  TrailerValue,
  TrailerLF,
  EndLF,
}

const MAX_CHUNK = 2 ** 40;
const MAX_TRAILERS = 64 * 1024;
/** RFC 9110 s5.6.2 tchar. */
const TCHAR = table((c) => c > 32 && c < 127 && !'"(),/:;<=>?@[\\]{}'.includes(String.fromCharCode(c)));
/** RFC 9110 s5.6.4 qdtext (HTAB, SP, VCHAR but '"' and '\', obs-text). */
const QDTEXT = table((c) => c === 9 || c === 32 || c === 33 || (c >= 35 && c <= 126 && c !== 92) || c >= 128);
/** quoted-pair's second byte and field-value bytes: HTAB, SP, VCHAR, obs-text (no DEL, no CTL). */
const FIELD_BYTE = table((c) => c === 9 || (c >= 32 && c !== 127));

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

/** ChunkSink: where the decoder hands body bytes. */
export interface ChunkSink {
  onResponseBody(chunk: Buffer): void;
}

export class ChunkedDecoder {
  private state = S.SizeStart;
  private size = 0;
  private trailerBytes = 0;
  /** Why decoding failed (set when `execute` returns -2). */
  error = '';

  reset(): void {
    this.state = S.SizeStart;
    this.size = 0;
    this.trailerBytes = 0;
    this.error = '';
  }

  /**
   * execute decodes buf[start..]: returns the index just past the body's final CRLF, -1 when it
   * needs more bytes, or -2 on a framing error (see `error`).
   */
  execute(buf: Buffer, start: number, sink: ChunkSink): number {
    let i = start;
    while (i < buf.length) {
      if (this.state === S.Data) {
        const take = Math.min(this.size, buf.length - i);
        sink.onResponseBody(buf.subarray(i, i + take));
        i += take;
        this.size -= take;
        if (this.size === 0) this.state = S.DataCR;
        continue;
      }
      const c = buf[i++]!;
      if (this.state >= S.TrailerStart && ++this.trailerBytes > MAX_TRAILERS) return this.fail('trailers too large');
      const next = this.step(c);
      if (next === -2) return -2;
      if (next === 1) return i;
    }
    return -1;
  }

  /** step advances by one framing byte: 0 to go on, 1 when the body ended, -2 on error. */
  private step(c: number): number {
    switch (this.state) {
      case S.SizeStart:
      case S.Size:
        return this.sizeByte(c);
      case S.ExtStart:
        return TCHAR[c] === 1 ? this.to(S.ExtName) : this.fail('invalid character in chunk extensions');
      case S.ExtName:
        if (TCHAR[c] === 1) return 0;
        return c === 61 /* = */ ? this.to(S.ExtValue) : this.extEnd(c);
      case S.ExtValue:
        if (TCHAR[c] === 1) return 0;
        return c === 34 /* " */ ? this.to(S.ExtQuoted) : this.extEnd(c);
      case S.ExtQuoted:
        if (QDTEXT[c] === 1) return 0;
        if (c === 34) return this.to(S.ExtQuotedDone);
        return c === 92 /* \ */ ? this.to(S.ExtQuotedPair) : this.fail('invalid character in quoted chunk extension');
      case S.ExtQuotedPair:
        return FIELD_BYTE[c] === 1 ? this.to(S.ExtQuoted) : this.fail('invalid quoted-pair in chunk extension');
      case S.ExtQuotedDone:
        return this.extEnd(c);
      case S.SizeLF:
        if (c !== 10) return this.fail('expected LF after chunk size');
        return this.to(this.size === 0 ? S.TrailerStart : S.Data);
      case S.DataCR:
        return c === 13 ? this.to(S.DataLF) : this.fail('expected CRLF after chunk data');
      case S.DataLF:
        return c === 10 ? this.to(S.SizeStart) : this.fail('expected CRLF after chunk data');
      default:
        return this.trailerByte(c);
    }
  }

  private sizeByte(c: number): number {
    const v = hexValue(c);
    if (v >= 0) {
      this.size = this.state === S.SizeStart ? v : this.size * 16 + v;
      this.state = S.Size;
      return this.size <= MAX_CHUNK ? 0 : this.fail('chunk too large');
    }
    if (this.state === S.SizeStart) return this.fail('invalid character in chunk size');
    if (c === 13) return this.to(S.SizeLF);
    return c === 59 /* ; */ ? this.to(S.ExtStart) : this.fail('invalid character in chunk size');
  }

  /** extEnd: after an extension name or value, only `;` (another one) or CR (end of line). */
  private extEnd(c: number): number {
    if (c === 59) return this.to(S.ExtStart);
    return c === 13 ? this.to(S.SizeLF) : this.fail('invalid character in chunk extensions');
  }

  private trailerByte(c: number): number {
    switch (this.state) {
      case S.TrailerStart:
        if (c === 13) return this.to(S.EndLF);
        return TCHAR[c] === 1 ? this.to(S.TrailerName) : this.fail('invalid trailer');
      case S.TrailerName:
        if (TCHAR[c] === 1) return 0;
        return c === 58 /* : */ ? this.to(S.TrailerValue) : this.fail('invalid trailer');
      case S.TrailerValue:
        if (FIELD_BYTE[c] === 1) return 0;
        return c === 13 ? this.to(S.TrailerLF) : this.fail('invalid trailer');
      case S.TrailerLF:
        return c === 10 ? this.to(S.TrailerStart) : this.fail('invalid trailer');
      default: // EndLF
        return c === 10 ? 1 : this.fail('expected LF after trailers');
    }
  }

  private to(state: S): number {
    this.state = state;
    return 0;
  }

  private fail(reason: string): number {
    this.error = reason;
    return -2;
  }
}
