import { createHash } from 'node:crypto';
import { parseAllDocuments, type Document } from 'yaml';
import type { KubeObject } from '../types.js';

/** ManifestParseError says which file and line could not be read, as kubectl would. */
export class ManifestParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}${column === undefined ? '' : `:${column}`}`}: ${detail}`);
    this.name = 'ManifestParseError';
  }
}

/** ParsedManifest is one file's objects plus the entries that were skipped (with why). */
export interface ParsedManifest {
  objects: KubeObject[];
  warnings: string[];
}

/**
 * CLUSTER_SCOPED kinds keep no namespace; every other kind defaults to "default", as kubectl apply
 * does without -n.
 */
const CLUSTER_SCOPED = new Set([
  'GatewayClass', 'IngressClass', 'Namespace', 'Node', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleBinding', 'KongClusterPlugin', 'PersistentVolume', 'StorageClass',
]);

/**
 * parseManifestText reads multi-document YAML (JSON is YAML) and `kind: List` wrappers. The whole
 * file fails on the first syntax error so a half-read file never replaces its last good objects.
 */
export function parseManifestText(file: string, text: string): ParsedManifest {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const result: ParsedManifest = { objects: [], warnings: [] };
  for (const [index, doc] of list.entries()) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const detail = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
      throw new ManifestParseError(file, pos?.line, pos?.col, detail);
    }
    collect(toJS(doc, file), `${file} document ${index + 1}`, result);
  }
  return result;
}

/** toJS caps alias expansion: a few lines of anchors can otherwise expand to gigabytes. */
function toJS(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ManifestParseError(file, undefined, undefined, (err as Error).message);
  }
}

function collect(value: unknown, where: string, into: ParsedManifest): void {
  if (value === null || value === undefined) return; // empty documents ("---" at the end) are fine
  if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
    value.items.forEach((item, i) => collect(item, `${where} item ${i + 1}`, into));
    return;
  }
  const problem = objectProblem(value);
  if (problem) {
    into.warnings.push(`${where}: skipped: ${problem}`);
    return;
  }
  into.objects.push(normalizeObject(value as KubeObject));
}

function objectProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a mapping';
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return 'apiVersion missing';
  if (typeof value.kind !== 'string' || value.kind === '') return 'kind missing';
  const meta = value.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') return 'metadata.name missing';
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') return 'metadata.namespace is not a string';
  return undefined;
}

/**
 * normalizeObject fills what an API server would: the namespace, a uid stable across edits (a hash
 * of kind/namespace/name, kept when the file gives one) and a resourceVersion that is the content
 * hash. The resourceVersion is always recomputed: a manifest copied from `kubectl get -o yaml`
 * carries a stale one, and the incremental translator must see every edit as a change.
 */
export function normalizeObject(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  if (!CLUSTER_SCOPED.has(obj.kind)) metadata.namespace ??= 'default';
  else delete metadata.namespace;
  delete metadata.resourceVersion;
  const body = { ...obj, metadata };
  metadata.uid ??= uidFor(objectKey(body));
  metadata.resourceVersion = contentHash(body);
  return body;
}

/** objectKey identifies an object the way the API server does: kind, namespace and name. */
export function objectKey(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function uidFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function contentHash(obj: KubeObject): string {
  return createHash('sha256').update(stableJson(obj)).digest('hex').slice(0, 16);
}

/** stableJson serializes with sorted keys so reordering a YAML mapping is not a change. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
