import type { Reader } from './reader.js';

/** RefEnds: the two ends of a cross-namespace reference. */
export interface RefEnds {
  fromGroup: string;
  fromKind: string;
  fromNamespace: string;
  toGroup: string;
  toKind: string;
  toNamespace: string;
  toName: string;
}

/**
 * referenceAllowed applies Gateway API ReferenceGrant: a reference within one namespace is always
 * allowed; across namespaces a ReferenceGrant in the target namespace must list the source
 * (group, kind, namespace) in `from` and the target (group, kind, optional name) in `to`.
 */
export function referenceAllowed(reader: Reader, r: RefEnds): boolean {
  if (r.fromNamespace === r.toNamespace) return true;
  return reader.listIn('ReferenceGrant', r.toNamespace).some((grant) => {
    const from: any[] = Array.isArray(grant.spec?.from) ? grant.spec.from : [];
    const to: any[] = Array.isArray(grant.spec?.to) ? grant.spec.to : [];
    const fromOk = from.some((f) => (f?.group ?? '') === r.fromGroup && f?.kind === r.fromKind && f?.namespace === r.fromNamespace);
    const toOk = to.some((t) => (t?.group ?? '') === r.toGroup && t?.kind === r.toKind && (t?.name === undefined || t.name === r.toName));
    return fromOk && toOk;
  });
}
