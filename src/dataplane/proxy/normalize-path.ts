/**
 * normalizePath: the path the router matches and the upstream receives, normalized as Kong does
 * before routing, so `/echo/../admin` or `/%65cho` cannot reach a route the literal text would
 * not match (a prefix check on the raw path is a classic ACL bypass). Percent-escapes of
 * unreserved characters are decoded, other escapes upper-cased, dot segments removed (RFC 3986
 * 5.2.4) and repeated slashes merged. The common clean path returns the same string, no copy.
 */
export function normalizePath(path: string): string {
  return needsNormalizing(path) ? rebuild(path) : path;
}

function needsNormalizing(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37 /* % */) return true;
    if (c === 47 /* / */) {
      const next = path.charCodeAt(i + 1);
      if (next === 47 || next === 46 /* . */) return true;
    }
  }
  return false;
}

function rebuild(path: string): string {
  const decoded = decodeUnreserved(path);
  const out: string[] = [];
  const segments = decoded.split('/');
  // segments[0] is what precedes the leading '/', empty for an origin-form path.
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '.' || (seg === '' && !last)) continue;
    if (seg === '..') {
      out.pop();
      continue;
    }
    out.push(seg);
  }
  const tail = segments[segments.length - 1];
  const trailingSlash = segments.length > 1 && (tail === '' || tail === '.' || tail === '..');
  let result = '/' + out.join('/');
  if (trailingSlash && !result.endsWith('/')) result += '/';
  return result;
}

function decodeUnreserved(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (escape: string, hex: string) => {
    const code = parseInt(hex, 16);
    return isUnreserved(code) ? String.fromCharCode(code) : escape.toUpperCase();
  });
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126
  );
}
