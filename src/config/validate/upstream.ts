import type { Algorithm, HashOn, TargetConfig, UpstreamConfig } from '../types.js';
import { parseTargetAddress, targetIdentity, formatAddress } from '../target-address.js';
import { validateHealthchecks } from './healthchecks.js';
import type { Issues, PathSeg } from './issues.js';
import { Scope, isObj } from './scope.js';

const ALGORITHMS: Algorithm[] = ['round-robin', 'consistent-hashing', 'least-connections', 'latency', 'sticky-sessions'];
const HASH_ON: HashOn[] = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'];
const FIELDS = ['name', 'algorithm', 'slots', 'hash_on', 'hash_fallback', 'hash_on_header', 'hash_fallback_header',
  'hash_on_cookie', 'hash_on_cookie_path', 'hash_on_query_arg', 'hash_fallback_query_arg', 'hash_on_uri_capture',
  'hash_fallback_uri_capture', 'host_header', 'sticky_sessions_cookie', 'sticky_sessions_cookie_path',
  'sticky_sessions_header', 'sticky_sessions_absolute_timeout', 'sticky_sessions_lifetime', 'unresolved_weight', 'healthchecks', 'targets',
  'use_srv_name', 'client_certificate'];
const STRINGS = ['hash_on_header', 'hash_fallback_header', 'hash_on_cookie', 'hash_on_query_arg',
  'hash_fallback_query_arg', 'hash_on_uri_capture', 'hash_fallback_uri_capture', 'host_header',
  'sticky_sessions_cookie', 'sticky_sessions_header'] as const;
const UPSTREAM_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/i;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** validateUpstream checks one upstream with its targets and returns it with defaults filled in. */
export function validateUpstream(issues: Issues, raw: unknown, path: PathSeg[]): UpstreamConfig | undefined {
  const name = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const s = new Scope(issues, { type: 'upstream', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(FIELDS);
  const out: UpstreamConfig = {
    name: s.str('name', true) ?? '',
    algorithm: s.oneOf('algorithm', ALGORITHMS) ?? 'round-robin',
    slots: s.int('slots', 10, 65536) ?? 10000,
    hash_on: s.oneOf('hash_on', HASH_ON) ?? 'none',
    hash_fallback: s.oneOf('hash_fallback', HASH_ON) ?? 'none',
    hash_on_cookie_path: s.str('hash_on_cookie_path') ?? '/',
    sticky_sessions_cookie_path: s.str('sticky_sessions_cookie_path') ?? '/',
    healthchecks: validateHealthchecks(s.child('healthchecks')),
    targets: validateTargets(issues, raw.targets, path, name),
  };
  if (out.name !== '' && !UPSTREAM_NAME.test(out.name)) s.err('name', 'Invalid name; must be a valid hostname');
  for (const key of STRINGS) {
    const v = s.str(key);
    if (v !== undefined) out[key] = v;
  }
  s.bool('use_srv_name');
  const timeout = s.int('sticky_sessions_absolute_timeout', 0, 2147483647);
  if (timeout !== undefined) out.sticky_sessions_absolute_timeout = timeout;
  const lifetime = s.oneOf('sticky_sessions_lifetime', ['session', 'permanent'] as const);
  if (lifetime !== undefined) out.sticky_sessions_lifetime = lifetime;
  // Target weights are 0..65535 each; the unresolved share is at most what all of them could weigh.
  const unresolved = s.int('unresolved_weight', 0, 2147483647);
  if (unresolved !== undefined && unresolved > 0) out.unresolved_weight = unresolved;
  const tags = s.tags();
  if (tags) out.tags = tags;
  checkHashing(s, out);
  checkSticky(s, out);
  return out;
}

/** checkHashing: Kong's entity checks tying hash_on / hash_fallback to their companion fields. */
function checkHashing(s: Scope, u: UpstreamConfig): void {
  const need = (on: HashOn | undefined, value: HashOn, field: keyof UpstreamConfig, which: string): void => {
    if (on === value && u[field] === undefined) s.err(field, `required when '${which}' is '${value}'`);
  };
  for (const [value, onField, fbField] of [
    ['header', 'hash_on_header', 'hash_fallback_header'],
    ['query_arg', 'hash_on_query_arg', 'hash_fallback_query_arg'],
    ['uri_capture', 'hash_on_uri_capture', 'hash_fallback_uri_capture'],
  ] as const) {
    need(u.hash_on, value, onField, 'hash_on');
    need(u.hash_fallback, value, fbField, 'hash_fallback');
  }
  need(u.hash_on, 'cookie', 'hash_on_cookie', 'hash_on');
  if (u.hash_on_cookie !== undefined && !COOKIE_NAME.test(u.hash_on_cookie)) s.err('hash_on_cookie', 'invalid cookie name');
  if (u.hash_fallback !== 'none' && (u.hash_on === 'none' || u.hash_on === 'cookie')) {
    s.err('hash_fallback', `must be 'none' when 'hash_on' is '${u.hash_on}'`);
  } else if (u.hash_fallback === 'cookie') {
    s.err('hash_fallback', "'cookie' cannot be a fallback: an absent cookie is generated");
  } else if (u.hash_fallback !== 'none' && u.hash_fallback === u.hash_on && !['header', 'query_arg', 'uri_capture'].includes(u.hash_on!)) {
    s.err('hash_fallback', "must be different from 'hash_on'");
  }
  if (!(u.hash_on_cookie_path ?? '/').startsWith('/')) s.err('hash_on_cookie_path', 'should start with: /');
}

/** checkSticky: sticky-sessions needs a cookie (or berth's header) and no hashing. */
function checkSticky(s: Scope, u: UpstreamConfig): void {
  if (!(u.sticky_sessions_cookie_path ?? '/').startsWith('/')) s.err('sticky_sessions_cookie_path', 'should start with: /');
  if (u.sticky_sessions_cookie !== undefined && !COOKIE_NAME.test(u.sticky_sessions_cookie)) {
    s.err('sticky_sessions_cookie', 'invalid cookie name');
  }
  if (u.algorithm !== 'sticky-sessions') return;
  if (u.sticky_sessions_cookie === undefined && u.sticky_sessions_header === undefined) {
    s.err('sticky_sessions_cookie', "required when 'algorithm' is 'sticky-sessions'");
  }
  if (u.hash_on !== 'none') s.err('hash_on', "must be 'none' when 'algorithm' is 'sticky-sessions'");
  if (u.sticky_sessions_lifetime === 'permanent' && !u.sticky_sessions_absolute_timeout) {
    s.err('sticky_sessions_absolute_timeout', "required when 'sticky_sessions_lifetime' is 'permanent'");
  }
}

function validateTargets(issues: Issues, raw: unknown, upstreamPath: PathSeg[], upstream: string | undefined): TargetConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add({ type: 'upstream', name: upstream, path: upstreamPath }, ['targets'], 'expected an array');
    return [];
  }
  const out: TargetConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((t, i) => {
    const target = validateTarget(issues, t, [...upstreamPath, 'targets', i], seen);
    if (target) out.push(target);
  });
  return out;
}

function validateTarget(issues: Issues, raw: unknown, path: PathSeg[], seen: Set<string>): TargetConfig | undefined {
  const name = isObj(raw) && typeof raw.target === 'string' ? raw.target : undefined;
  const s = new Scope(issues, { type: 'target', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(['target', 'weight', 'upstream']);
  const text = s.str('target', true);
  const weight = s.int('weight', 0, 65535) ?? 100;
  const tags = s.tags();
  if (text === undefined) return undefined;
  let address: string;
  try {
    const { host, port } = parseTargetAddress(text);
    address = formatAddress(host, port);
  } catch (err) {
    return void s.err('target', (err as Error).message);
  }
  const out: TargetConfig = { target: address, weight };
  if (tags) out.tags = tags;
  const key = `${targetIdentity(out)}\u0000${address}`;
  if (seen.has(key)) s.err('target', `duplicate target '${address}'`);
  seen.add(key);
  return out;
}
