import type { RouteConfig, RouteProtocol } from '../../config/types.js';
import { isToken, regexProblem } from './syntax.js';

const PREFIX = 'konghq.com/';

function bool(v: string): boolean | undefined {
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

type Apply = (route: Partial<RouteConfig>, value: string) => string | undefined;

const ROUTE_ANNOTATIONS: Record<string, Apply> = {
  'strip-path': (r, v) => {
    const b = bool(v);
    if (b === undefined) return 'must be true or false';
    r.strip_path = b;
    return undefined;
  },
  'preserve-host': (r, v) => {
    const b = bool(v);
    if (b === undefined) return 'must be true or false';
    r.preserve_host = b;
    return undefined;
  },
  methods: (r, v) => {
    const methods = list(v).map((m) => m.toUpperCase());
    if (methods.length === 0 || methods.some((m) => !/^[A-Z]+$/.test(m))) return 'must list HTTP methods';
    r.methods = methods;
    return undefined;
  },
  'regex-priority': (r, v) => {
    if (!/^-?\d{1,9}$/.test(v.trim())) return 'must be an integer';
    r.regex_priority = Number(v.trim());
    return undefined;
  },
  protocols: (r, v) => {
    const protocols = list(v);
    if (protocols.length === 0 || protocols.some((p) => p !== 'http' && p !== 'https')) return 'must list http and/or https';
    r.protocols = protocols as RouteProtocol[];
    return undefined;
  },
  'https-redirect-status-code': (r, v) => {
    if (!['301', '302', '307', '308', '426'].includes(v.trim())) return 'must be one of 301, 302, 307, 308, 426';
    r.https_redirect_status_code = Number(v.trim());
    return undefined;
  },
};

function addHeader(fields: Partial<RouteConfig>, name: string, values: string[]): string | undefined {
  if (!isToken(name) || name === 'host') return 'not a header Kong can match on';
  if (values.length === 0) return 'no values';
  const bad = values.map((v) => (v.startsWith('~*') ? regexProblem(v.slice(2), 'i') : undefined)).find((p) => p !== undefined);
  if (bad !== undefined) return bad;
  fields.headers = { ...fields.headers, [name]: values };
  return undefined;
}

/**
 * routeAnnotations reads the `konghq.com/*` route annotations KIC honours on an Ingress
 * (strip-path, preserve-host, methods, regex-priority, protocols, https-redirect-status-code,
 * headers.<name>). A malformed value is reported and ignored, never fatal.
 */
export function routeAnnotations(annotations: Record<string, string> | undefined): { fields: Partial<RouteConfig>; problems: string[] } {
  const fields: Partial<RouteConfig> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(PREFIX)) continue;
    const short = key.slice(PREFIX.length);
    if (short.startsWith('headers.')) {
      const problem = addHeader(fields, short.slice('headers.'.length).toLowerCase(), list(value));
      if (problem !== undefined) problems.push(`${key}: ${problem}; ignored`);
      continue;
    }
    const problem = ROUTE_ANNOTATIONS[short]?.(fields, value);
    if (problem !== undefined) problems.push(`${key}: "${value}" ${problem}; ignored`);
  }
  return { fields, problems };
}
