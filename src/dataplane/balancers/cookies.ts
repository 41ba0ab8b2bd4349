/**
 * cookieValue finds one cookie in a Cookie header without splitting the header into an array
 * (hot path). Returns undefined when absent or empty.
 */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const h = typeof header === 'string' ? header : header.join('; ');
  let i = 0;
  while (i < h.length) {
    while (h.charCodeAt(i) === 32) i++;
    let end = h.indexOf(';', i);
    if (end < 0) end = h.length;
    if (h.startsWith(name, i) && h.charCodeAt(i + name.length) === 61 && i + name.length < end) {
      const value = h.slice(i + name.length + 1, end).trim();
      return value === '' ? undefined : value;
    }
    i = end + 1;
  }
  return undefined;
}

/** randomToken: 32 hex characters from an injected random source (a hash key, not a secret). */
export function randomToken(random: () => number): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  return out;
}
