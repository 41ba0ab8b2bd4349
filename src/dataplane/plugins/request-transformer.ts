import type { RequestTransformerConfig } from '../../config/types.js';
import { applyHeaderOps, compileHeaderOps, isEmpty, type HeaderOps } from './header-ops.js';

/**
 * RequestTransformer: Kong's request-transformer as KIC emits it for HTTPRoute filters
 * (RequestHeaderModifier, URLRewrite): header operations plus an upstream path rewrite.
 */
/** RewriteTarget: what the transformer reads and rewrites of a request. */
export interface RewriteTarget {
  readonly rawHeaders: readonly string[];
  requestHeaders: string[] | null;
  upstreamPath: string;
}

export class RequestTransformer {
  private readonly ops: HeaderOps | null;
  private readonly uri: string | null;
  private readonly prefix: { prefix: string; replacement: string } | null;

  constructor(config: RequestTransformerConfig) {
    const ops = compileHeaderOps(config);
    this.ops = isEmpty(ops) ? null : ops;
    this.uri = config.replace?.uri ?? null;
    this.prefix = config.replace_prefix ?? null;
  }

  apply(ex: RewriteTarget): void {
    if (this.ops !== null) {
      const list = (ex.requestHeaders ??= ex.rawHeaders.slice());
      applyHeaderOps(list, this.ops);
    }
    if (this.uri !== null) ex.upstreamPath = this.uri;
    else if (this.prefix !== null) ex.upstreamPath = replacePrefix(ex.upstreamPath, this.prefix.prefix, this.prefix.replacement);
  }
}

/** replacePrefix: "/old/x" with ("/old", "/new") -> "/new/x"; matches whole segments only. */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const bare = prefix.endsWith('/') && prefix.length > 1 ? prefix.slice(0, -1) : prefix;
  if (path !== bare && !path.startsWith(bare === '/' ? '/' : bare + '/')) return path;
  let rest = path.slice(bare === '/' ? 0 : bare.length);
  if (replacement.endsWith('/') && rest.startsWith('/')) rest = rest.slice(1);
  const out = replacement + rest;
  return out === '' ? '/' : out.startsWith('/') ? out : '/' + out;
}
