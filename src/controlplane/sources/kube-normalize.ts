import type { KubeObject } from '../types.js';
import { apiVersionOf, type WatchedKind } from './kube-kinds.js';

/**
 * toKubeObject turns what the client hands back (typed objects from typed lists, with Date
 * timestamps and class instances, or raw JSON from watches) into one plain shape with
 * apiVersion/kind set and RFC 3339 timestamps as the API server writes them.
 */
export function toKubeObject(obj: object, kind: WatchedKind): KubeObject {
  const plain = JSON.parse(JSON.stringify(obj), (_key, value) =>
    typeof value === 'string' && WHOLE_SECOND_ISO.test(value) ? value.slice(0, -5) + 'Z' : value,
  ) as KubeObject;
  plain.apiVersion = apiVersionOf(kind);
  plain.kind = kind.kind;
  return plain;
}

/** WHOLE_SECOND_ISO matches Date#toJSON output, which always has milliseconds; the API server writes whole seconds without them. */
const WHOLE_SECOND_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;
