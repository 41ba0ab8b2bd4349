import { byteTable } from '../proxy/field-chars.js';

// The request-target grammar of llhttp (nodejs/llhttp src/llhttp/url.ts, strict mode): origin-form
// and '*' start with '/' or '*'; absolute-form is letters "://" then an authority; CONNECT takes
// an authority. Bytes are printable ASCII only (no obs-text, no whitespace, no control byte).

const ALNUM: Array<[number, number]> = [[48, 57], [65, 90], [97, 122]];
/** llhttp URL_CHAR: printable ASCII but '#' and '?', which change the URL state. */
const URL_CHAR = byteTable('!"$%&\'()*+,-./:;<=>@[\\]^_`{|}~', ALNUM);
/** llhttp USERINFO_CHARS plus '[' ']' (the authority of an absolute-form target). */
const SERVER_CHAR = byteTable("-_.!~*'()%;:&=+$,[]", ALNUM);
const ALPHA = byteTable('', [[65, 90], [97, 122]]);

const enum Url { Path, Query, Fragment, Server, ServerAt }

/**
 * urlEnd validates the request-target starting at `i` and returns the index of the byte that ends
 * it (SP, or `end` when the line ends), or -1 when it is malformed (llhttp url.ts).
 */
export function urlEnd(s: string, i: number, end: number, connect: boolean): number {
  let state: Url;
  const first = s.charCodeAt(i);
  if (connect) state = Url.Server;
  else if (first === 47 /* / */ || first === 42 /* * */) state = Url.Path;
  else if (ALPHA[first] === 1) {
    // absolute-form: scheme "://" authority
    while (i < end && ALPHA[s.charCodeAt(i)] === 1) i++;
    if (s.charCodeAt(i) !== 58 || s.charCodeAt(i + 1) !== 47 || s.charCodeAt(i + 2) !== 47) return -1;
    i += 3;
    state = Url.Server;
  } else return -1;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 13 || c === 10) return i;
    switch (state) {
      case Url.Path:
        if (URL_CHAR[c] === 1) continue;
        if (c === 63 /* ? */) state = Url.Query;
        else if (c === 35 /* # */) state = Url.Fragment;
        else return -1;
        continue;
      case Url.Query:
        if (URL_CHAR[c] === 1 || c === 63) continue;
        if (c === 35) state = Url.Fragment;
        else return -1;
        continue;
      case Url.Fragment:
        if (URL_CHAR[c] === 1 || c === 63 || c === 35) continue;
        return -1;
      default: // Server, ServerAt
        if (SERVER_CHAR[c] === 1) continue;
        if (c === 47) state = Url.Path;
        else if (c === 63) state = Url.Query;
        else if (c === 64 /* @ */ && state === Url.Server) state = Url.ServerAt;
        else return -1;
    }
  }
  return end;
}
