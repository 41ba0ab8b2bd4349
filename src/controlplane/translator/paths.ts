/** escapeRegex quotes a literal path for a Kong regex path. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * prefixPaths encodes a Gateway API / Ingress path prefix as KIC does: the path itself exactly
 * (`~/echo$`) plus the path followed by a slash (`/echo/`), so `/echo` matches `/echo` and
 * `/echo/...` but not `/echoes`. A trailing slash is ignored; `/` matches everything.
 */
export function prefixPaths(prefix: string): string[] {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') return ['/'];
  return [`~${escapeRegex(trimmed)}$`, `${trimmed}/`];
}

/** exactPaths matches one path only. */
export function exactPaths(path: string): string[] {
  return [`~${escapeRegex(path)}$`];
}
