import { isHopByHopHeader } from '../proxy/headers.js';

/** Field name octets: lowercase tchar (RFC 9110 s5.6.2; RFC 9113 s8.2.1 forbids uppercase). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** What no field value may hold (RFC 9113 s8.2.1). */
const INVALID_VALUE = /[\0\r\n]/;

/**
 * responseFields: the engine's flat response header list as an HTTP/2 field list. Connection-
 * specific fields are dropped (RFC 9113 s8.2.2) and names lowercased; what is no field name or
 * value is refused with a TypeError, as node's http2 refuses it (Attempt answers 502 then).
 */
export function responseFields(status: number, flat: readonly string[]): string[] {
  const out = [':status', String(status)];
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    if (isHopByHopHeader(name) || name.charCodeAt(0) === 58 /* : */) continue;
    const value = flat[i + 1]!;
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) throw new TypeError(`invalid response header ${JSON.stringify(name)}`);
    out.push(name, value);
  }
  return out;
}
