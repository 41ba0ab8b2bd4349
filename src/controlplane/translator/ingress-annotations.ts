import type { RouteConfig, RouteProtocol } from '../../config/types.js';

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
    r.methods = list(v).map((m) => m.toUpperCase());
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
    if (!/^\d{3}$/.test(v.trim())) return 'must be a status code';
    r.https_redirect_status_code = Number(v.trim());
    return undefined;
  },
};

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
      const name = short.slice('headers.'.length).toLowerCase();
      if (name !== '') fields.headers = { ...fields.headers, [name]: list(value) };
      continue;
    }
    const problem = ROUTE_ANNOTATIONS[short]?.(fields, value);
    if (problem !== undefined) problems.push(`${key}: "${value}" ${problem}; ignored`);
  }
  return { fields, problems };
}
