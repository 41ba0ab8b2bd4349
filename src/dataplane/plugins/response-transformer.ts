import type { ResponseTransformerConfig } from '../../config/types.js';
import { applyHeaderOps, compileHeaderOps, isEmpty, type HeaderOps } from './header-ops.js';

/** ResponseTransformer: Kong's response-transformer header operations (HTTPRoute ResponseHeaderModifier). */
export class ResponseTransformer {
  private readonly ops: HeaderOps | null;

  constructor(config: ResponseTransformerConfig) {
    const ops = compileHeaderOps(config);
    this.ops = isEmpty(ops) ? null : ops;
  }

  apply(headers: string[]): void {
    if (this.ops !== null) applyHeaderOps(headers, this.ops);
  }
}
