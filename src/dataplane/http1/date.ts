/**
 * httpDate: the Date header value (RFC 9110 s6.6.1, IMF-fixdate), rendered at most once a second
 * as node's server does (lib/internal/http.js utcDate), not once per response.
 */
let cached: string | null = null;

export function httpDate(): string {
  if (cached === null) {
    const now = new Date();
    cached = now.toUTCString();
    setTimeout(expire, 1000 - now.getMilliseconds()).unref();
  }
  return cached;
}

function expire(): void {
  cached = null;
}
