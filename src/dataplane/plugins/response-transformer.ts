import type { ResponseTransformerConfig } from '../../config/types.js';
import { applyHeaderOps, compileHeaderOps, isEmpty, type HeaderOps } from './header-ops.js';

/** ResponseTransformer: Kong's response-transformer header operations (HTTPRoute ResponseHeaderModifier). */
export class ResponseTransformer {
  private readonly ops: HeaderOps | null;

  constructor(config: ResponseTransformerConfig) {
    const ops = compileHeaderOps(config);
    // The proxy frames the response from the upstream's body: a configured Content-Length or
    // Transfer-Encoding would make the client read a different message (response splitting).
    ops.replace = ops.replace.filter(([name]) => !isFraming(name));
    ops.add = ops.add.filter(([name]) => !isFraming(name));
    ops.append = ops.append.filter(([name]) => !isFraming(name));
    ops.rename = ops.rename.filter(([from, to]) => !isFraming(from) && !isFraming(to));
    this.ops = isEmpty(ops) ? null : ops;
  }

  apply(headers: string[]): void {
    if (this.ops !== null) applyHeaderOps(headers, this.ops);
  }
}

function isFraming(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'content-length' || lower === 'transfer-encoding';
}
