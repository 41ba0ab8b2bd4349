import { createHash } from 'node:crypto';
import type { UpstreamConfig } from '../../config/types.js';
import { isToken } from './syntax.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** parseDuration reads a Gateway API Duration (GEP-2257: `1h`, `5m`, `10s`, `500ms`, `1h30m`) in ms. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]{1,5})(ms|h|m|s)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return total;
}

/** defaultSessionName is stable per route rule, so restarts keep clients' sessions. */
export function defaultSessionName(namespace: string, route: string, rule: number): string {
  const digest = createHash('sha256').update(`${namespace}/${route}/${rule}`).digest('hex').slice(0, 12);
  return `berth-session-${digest}`;
}

export type SessionResult = { ok: true; fields: Partial<UpstreamConfig> | undefined } | { ok: false; problem: string };

/**
 * sessionFields maps a rule's `sessionPersistence` (GEP-1619) onto the sticky-sessions upstream:
 * Cookie (default) or Header carries the session named `sessionName`; `absoluteTimeout` is signed
 * into the value; a Permanent cookie lifetime needs that timeout (it becomes Max-Age/Expires).
 */
export function sessionFields(sp: any, cookiePath: string, defaultName: string): SessionResult {
  if (sp === undefined || sp === null) return { ok: true, fields: undefined };
  if (sp.idleTimeout !== undefined) return { ok: false, problem: 'sessionPersistence.idleTimeout is not supported' };
  const type = sp.type ?? 'Cookie';
  if (type !== 'Cookie' && type !== 'Header') return { ok: false, problem: `sessionPersistence.type ${type} is not supported` };
  const name: string = sp.sessionName === undefined || sp.sessionName === '' ? defaultName : sp.sessionName;
  if (!isToken(name)) return { ok: false, problem: `sessionPersistence.sessionName ${JSON.stringify(name)} is not a valid ${type === 'Header' ? 'header' : 'cookie'} name` };
  const fields: Partial<UpstreamConfig> = { algorithm: 'sticky-sessions', hash_on: 'none' };
  if (type === 'Cookie') Object.assign(fields, { sticky_sessions_cookie: name, sticky_sessions_cookie_path: cookiePath });
  else fields.sticky_sessions_header = name;
  if (sp.absoluteTimeout !== undefined) {
    const ms = parseDuration(sp.absoluteTimeout);
    if (ms === undefined || ms === 0) return { ok: false, problem: `sessionPersistence.absoluteTimeout ${JSON.stringify(sp.absoluteTimeout)} is not a valid duration` };
    fields.sticky_sessions_absolute_timeout = Math.ceil(ms / 1000);
  }
  const lifetime = sp.cookieConfig?.lifetimeType ?? 'Session';
  if (lifetime === 'Permanent') {
    if (type !== 'Cookie') return { ok: false, problem: 'sessionPersistence.cookieConfig applies to type Cookie only' };
    if (fields.sticky_sessions_absolute_timeout === undefined) {
      return { ok: false, problem: 'sessionPersistence.cookieConfig.lifetimeType Permanent requires absoluteTimeout' };
    }
    fields.sticky_sessions_lifetime = 'permanent';
  } else if (lifetime !== 'Session') return { ok: false, problem: `sessionPersistence.cookieConfig.lifetimeType ${lifetime} is not supported` };
  return { ok: true, fields };
}
