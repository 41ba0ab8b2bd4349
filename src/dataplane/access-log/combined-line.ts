import { putAscii } from './put-bytes.js';
import type { AccessRecord } from './record.js';

/** encodeCombinedLine: the combined line of a finished request (format.ts LineEncoder). */
export function encodeCombinedLine(into: Uint8Array, at: number, r: AccessRecord): number {
  return putAscii(into, at, combinedLine(r));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * combinedLine: the NCSA combined format nginx and Apache write (`$remote_addr - - [$time_local]
 * "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`), in UTC, followed by
 * berth's fields as key=value pairs, as Traefik's CLF appends its own.
 */
export function combinedLine(r: AccessRecord): string {
  return (
    r.clientIp + ' - - [' + clfTime(r.startedAt) + '] "' + clfEscape(r.method + ' ' + r.path + ' ' + r.protocol) + '" ' +
    r.status + ' ' + r.bytesOut + ' "' + clfEscape(r.referer ?? '-') + '" "' + clfEscape(r.userAgent ?? '-') + '"' +
    ' host=' + kv(r.host) + ' xff=' + kv(r.forwardedFor) + ' bytes_in=' + r.bytesIn +
    ' rt=' + (r.totalMs / 1000).toFixed(3) + ' urt=' + (r.upstreamMs === null ? '-' : (r.upstreamMs / 1000).toFixed(3)) +
    ' route=' + kv(r.route) + ' service=' + kv(r.service) + ' upstream=' + kv(r.upstream) + ' target=' + kv(r.target) +
    ' pod=' + kv(r.targetIdentity) + ' sticky=' + kv(r.sticky) + ' retries=' + r.retries + ' error=' + kv(r.error) +
    ' trace_id=' + kv(r.traceId) + '\n'
  );
}

function clfTime(ms: number): string {
  const d = new Date(ms);
  return pad(d.getUTCDate()) + '/' + MONTHS[d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' +
    pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' +0000';
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** clfEscape: like nginx's escape=default, control bytes, quotes and backslashes become \xHH. */
function clfEscape(s: string): string {
  return /[\x00-\x1f"\\\x7f-\uffff]/.test(s)
    ? s.replace(/[\x00-\x1f"\\\x7f-\uffff]/g, hexBytes)
    : s;
}

function hexBytes(c: string): string {
  let out = '';
  for (const byte of Buffer.from(c, 'utf8')) out += '\\x' + byte.toString(16).padStart(2, '0');
  return out;
}

/** kv: a key=value value: "-" when absent, quoted and escaped when it has spaces or quotes. */
function kv(v: string | null): string {
  if (v === null || v === '') return '-';
  return /[\s"\\\x00-\x1f\x7f-\uffff]/.test(v) ? '"' + clfEscape(v) + '"' : v;
}
