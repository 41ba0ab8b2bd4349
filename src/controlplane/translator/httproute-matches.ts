import type { RouteConfig } from '../../config/types.js';
import { exactPaths, prefixPaths } from './paths.js';
import { isPath, isToken, regexProblem } from './syntax.js';

/** MatchFields: the Kong route fields one HTTPRoute match becomes, or why it cannot. */
export type MatchFields =
  | { ok: true; fields: Partial<RouteConfig>; prefix: string | undefined; path: string }
  | { ok: false; problem: string };

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

function pathFields(path: any): MatchFields {
  const type = path?.type ?? 'PathPrefix';
  const value = typeof path?.value === 'string' ? path.value : '/';
  if (type !== 'RegularExpression' && !isPath(value)) return { ok: false, problem: `path ${JSON.stringify(value)} is not a valid absolute path` };
  if (type === 'PathPrefix') return { ok: true, fields: { paths: prefixPaths(value) }, prefix: value, path: value };
  // Exact paths outrank a prefix with the same literal (`~/echo$` appears in both).
  if (type === 'Exact') return { ok: true, fields: { paths: exactPaths(value), regex_priority: 1 }, prefix: undefined, path: value };
  if (type === 'RegularExpression') {
    const problem = regexProblem(value);
    if (problem !== undefined) return { ok: false, problem: `path ${problem}` };
    return { ok: true, fields: { paths: [`~${value}`] }, prefix: undefined, path: '/' };
  }
  return { ok: false, problem: `path match type ${type} is not supported` };
}

export function headerFields(headers: any[]): Record<string, string[]> | string {
  const out: Record<string, string[]> = {};
  for (const h of headers) {
    const name = String(h?.name ?? '').toLowerCase();
    const type = h?.type ?? 'Exact';
    if (!isToken(name) || typeof h?.value !== 'string') return 'header match needs a valid name and a value';
    if (name === 'host') return 'matching the Host header is done with hostnames';
    if (out[name] !== undefined) return `header ${name} is matched twice`;
    if (type === 'Exact') out[name] = [h.value];
    else if (type === 'RegularExpression') {
      const problem = regexProblem(h.value, 'i');
      if (problem !== undefined) return `header ${name}: ${problem}`;
      out[name] = [`~*${h.value}`];
    } else return `header match type ${type} is not supported`;
  }
  return out;
}

function queryFields(params: any[]): Record<string, string[]> | string {
  const out: Record<string, string[]> = {};
  for (const q of params) {
    const type = q?.type ?? 'Exact';
    if (!isToken(q?.name) || typeof q?.value !== 'string') return 'query param match needs a valid name and a value';
    if (type !== 'Exact') return `query param match type ${type} is not supported`;
    out[q.name] = [...(out[q.name] ?? []), q.value];
  }
  return out;
}

/** matchFields translates one HTTPRouteMatch (path, headers, method, query params). */
export function matchFields(match: any): MatchFields {
  const path = pathFields(match?.path);
  if (!path.ok) return path;
  const fields = path.fields;
  if (Array.isArray(match?.headers) && match.headers.length > 0) {
    const headers = headerFields(match.headers);
    if (typeof headers === 'string') return { ok: false, problem: headers };
    fields.headers = headers;
  }
  if (match?.method !== undefined) {
    if (!METHODS.has(match.method)) return { ok: false, problem: `method ${match.method} is not supported` };
    fields.methods = [match.method];
  }
  if (Array.isArray(match?.queryParams) && match.queryParams.length > 0) {
    const query = queryFields(match.queryParams);
    if (typeof query === 'string') return { ok: false, problem: query };
    fields.query_params = query;
  }
  return path;
}
