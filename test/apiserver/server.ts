import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { checkMicroTimes, parsePath, resourceFor, apiVersionOf, isCustom, type ParsedPath, type Resource } from './resources.js';
import { Store, StoreError, type Watcher } from './store.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { jsonPatch, mergePatch, PatchError } from './patch.js';
import { generateName } from './names.js';
import { checkIntegers, validateCreate, validateUpdate } from './validation.js';
import { goneStatus, sendForbidden, sendJson, sendStatus } from './status-bodies.js';

/** RecordedRequest is one request the stand-in served, for tests to assert what a client did. */
export interface RecordedRequest {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  method: string;
  path: string;
  query: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  /** The bearer token the client sent (tells apart clients given different kubeconfigs). */
  user?: string;
}

/**
 * ApiServer is a Kubernetes API server stand-in: the real REST and watch wire protocol over plain
 * HTTP on 127.0.0.1, an in-memory store, and hooks to go down, come back, and expire watches.
 */
export class ApiServer {
  readonly store = new Store();
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** "group/plural" collections answered with 404, as for a CRD that is not installed. */
  readonly unserved = new Set<string>();
  /** "group/plural" collections answered with 403, as RBAC denying them. */
  readonly forbidden = new Set<string>();
  private startingUntil = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    await this.listen();
    return this.url;
  }

  async stop(): Promise<void> {
    await this.down();
  }

  /** down closes every connection (watches included) and refuses new ones until up(). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const w of this.store.watchers) w.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** up listens again on the same port. */
  async up(): Promise<void> {
    if (!this.server) await this.listen();
  }

  /** startingUp answers 403 to everything for `ms`, as a kube-apiserver does until its RBAC cache syncs (about 1 s). */
  startingUp(ms: number): void {
    this.startingUntil = Date.now() + ms;
  }

  /** expireWatches ends every open watch with a 410 ERROR event, after forgetting the history. */
  expireWatches(): void {
    this.store.compact();
    for (const w of this.store.watchers) {
      w.send('ERROR', goneStatus());
      w.close();
    }
  }

  /** bookmark sends the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.store.watchers) {
      if (!w.bookmarks) continue;
      w.send('BOOKMARK', { apiVersion: apiVersionOf(w.resource), kind: w.resource.kind, metadata: { resourceVersion: this.store.resourceVersion } });
    }
  }

  /** apply creates or replaces an object (status included when given), as a test fixture. */
  apply(obj: any): any {
    const res = resourceFor(obj.apiVersion, obj.kind);
    const { namespace, name } = obj.metadata;
    let existing: any;
    try {
      existing = this.store.get(res, namespace, name);
    } catch {
      existing = undefined;
    }
    const saved = existing
      ? this.store.update(res, { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } }, 'main')
      : this.store.create(res, structuredClone(obj));
    return obj.status && res.status ? this.store.update(res, { ...saved, status: obj.status }, 'status') : saved;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): any {
    return this.store.get(resourceFor(apiVersion, kind), namespace, name);
  }

  list(apiVersion: string, kind: string): any[] {
    return this.store.list(resourceFor(apiVersion, kind), undefined, () => true, () => true);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    this.store.delete(resourceFor(apiVersion, kind), namespace, name);
  }

  /** writeKubeconfig writes a kubeconfig pointing at this server: plain http (client-node wants skip-TLS-verify for that), an optional token. */
  writeKubeconfig(file: string, namespace = 'default', token?: string): string {
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: standin',
      'clusters:', `- name: standin`, `  cluster:`, `    server: ${this.url}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: standin', token ? `  user: { token: ${token} }` : '  user: {}',
      'contexts:', '- name: standin', '  context:', '    cluster: standin', '    user: standin', `    namespace: ${namespace}`,
      '',
    ].join('\n'));
    return file;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const parsed = parsePath(url.pathname);
    if (!parsed || this.unserved.has(`${parsed.resource.group}/${parsed.resource.plural}`)) {
      return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const verb = verbOf(req.method ?? 'GET', parsed, url);
    const denied = Date.now() < this.startingUntil || this.forbidden.has(`${parsed.resource.group}/${parsed.resource.plural}`);
    this.requests.push({
      verb, method: req.method ?? 'GET', path: url.pathname, query: url.search, group: parsed.resource.group,
      resource: parsed.resource.plural, subresource: parsed.subresource, namespace: parsed.namespace,
      name: parsed.name, contentType: req.headers['content-type'],
      user: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
    });
    if (denied) return sendForbidden(res, verb, parsed);
    try {
      const body = await readBody(req);
      if (verb === 'watch') return this.watch(req, res, parsed, url);
      sendJson(res, verb === 'create' ? 201 : 200, this.serve(verb, parsed, url, body, req.headers['content-type'] ?? ''));
    } catch (err) {
      if (err instanceof StoreError) return sendStatus(res, err.code, err.reason, err.message, err.details);
      if (err instanceof PatchError || err instanceof SyntaxError) return sendStatus(res, 422, 'Invalid', err.message);
      sendStatus(res, 500, 'InternalError', String(err));
    }
  }

  private serve(verb: RecordedRequest['verb'], p: ParsedPath, url: URL, body: string, contentType: string): unknown {
    const { resource, namespace, name } = p;
    switch (verb) {
      case 'get': return this.store.get(resource, namespace, name!);
      case 'list': {
        const items = this.store.list(resource, namespace, labelSelector(url.searchParams.get('labelSelector')),
          fieldSelector(url.searchParams.get('fieldSelector')));
        // Built-in kinds' list items carry no apiVersion/kind on the wire; CRD items do.
        return {
          apiVersion: apiVersionOf(resource), kind: `${resource.kind}List`,
          metadata: { resourceVersion: this.store.resourceVersion },
          items: isCustom(resource) ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
        };
      }
      case 'create': return this.store.create(resource, validCreate(resource, decoded(resource, withPlace(JSON.parse(body), p))));
      case 'update': {
        const obj = decoded(resource, withPlace(JSON.parse(body), p));
        validateUpdate(resource, obj, !!obj.metadata.resourceVersion);
        return this.store.update(resource, obj, mode(p));
      }
      case 'patch': {
        const current = this.store.get(resource, namespace, name!);
        const patched = decoded(resource, withPlace(applyPatch(current, JSON.parse(body), contentType), p));
        validateUpdate(resource, patched, true);
        return this.store.update(resource, patched, mode(p));
      }
      case 'delete': return this.store.delete(resource, namespace, name!);
      default: throw new StoreError(405, 'MethodNotAllowed', verb);
    }
  }

  private watch(req: IncomingMessage, res: ServerResponse, p: ParsedPath, url: URL): void {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // The real API server sends headers at once; clients wait for them before reading events.
    res.flushHeaders();
    const watcher: Watcher = {
      resource: p.resource,
      namespace: p.namespace,
      labels: labelSelector(url.searchParams.get('labelSelector')),
      fields: fieldSelector(url.searchParams.get('fieldSelector')),
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      send: (type, object) => {
        if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
      },
      close: () => {
        this.store.watchers.delete(watcher);
        if (!res.writableEnded) res.end();
      },
    };
    req.on('close', () => this.store.watchers.delete(watcher));
    const rv = url.searchParams.get('resourceVersion');
    this.store.watchers.add(watcher);
    if (!rv || rv === '0') {
      for (const obj of this.store.list(p.resource, p.namespace, watcher.labels, watcher.fields)) watcher.send('ADDED', obj);
    } else if (!this.store.replay(watcher, Number(rv))) {
      watcher.send('ERROR', goneStatus());
      watcher.close();
      return;
    }
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (timeout > 0) setTimeout(() => watcher.close(), timeout * 1000).unref();
  }
}

function verbOf(method: string, p: ParsedPath, url: URL): RecordedRequest['verb'] {
  switch (method) {
    case 'GET':
      if (p.name) return 'get';
      return url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: return 'get';
  }
}

function mode(p: ParsedPath): 'main' | 'status' {
  if (p.subresource && p.subresource !== 'status') throw new StoreError(404, 'NotFound', `no subresource ${p.subresource}`);
  if (p.subresource === 'status' && !p.resource.status) throw new StoreError(404, 'NotFound', `${p.resource.plural} has no status`);
  return p.subresource === 'status' ? 'status' : 'main';
}

/** withPlace makes the path authoritative for namespace and name, as the API server does. */
function withPlace(obj: any, p: ParsedPath): any {
  obj.metadata = { ...(obj.metadata ?? {}) };
  if (p.resource.namespaced) obj.metadata.namespace = p.namespace;
  if (p.name) {
    if (obj.metadata.name && obj.metadata.name !== p.name) throw new StoreError(400, 'BadRequest', 'name in body does not match path');
    obj.metadata.name = p.name;
  }
  return obj;
}

/** validCreate generates the name from generateName (as rest.BeforeCreate does), then validates. */
function validCreate(res: Resource, obj: any): any {
  const requested = obj.metadata.name ? undefined : obj.metadata.generateName;
  if (requested) obj.metadata.name = generateName(requested);
  validateCreate(res, obj, obj.metadata.generateName || undefined);
  return obj;
}

/** decoded rejects what the real API server fails to decode, as it does: 400 before any validation. */
function decoded(res: Resource, obj: any): any {
  const problem = checkMicroTimes(res, obj) ?? checkIntegers(res, obj);
  if (problem) throw new StoreError(400, 'BadRequest', problem);
  return obj;
}

function applyPatch(current: any, patch: unknown, contentType: string): any {
  const type = contentType.split(';')[0]!.trim();
  if (type === 'application/json-patch+json') return jsonPatch(current, patch);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') return mergePatch(current, patch);
  throw new StoreError(415, 'UnsupportedMediaType', `unsupported patch type ${type}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
