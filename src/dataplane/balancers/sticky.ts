import type { UpstreamConfig } from '../../config/types.js';
import type { TargetState } from '../targets/target.js';
import {
  type SessionKeyring,
  TOKEN_LENGTH,
  encodeSessionToken,
  sessionIdsOf,
  sessionTokenExpiry,
  verifySessionToken,
} from '../sticky/token.js';
import type { Balancer, PickRequest, StickyOutcome } from './balancer.js';
import { UNRESOLVED_BACKEND } from './unresolved-share.js';

/** StickyOptions: where the session travels and how long it lives. */
export interface StickyOptions {
  /** Cookie name (cookie mode). Ignored when `header` is set. */
  cookie?: string;
  /** Request/response header name (Gateway API `type: Header`). */
  header?: string;
  path: string;
  /** Signed into the value; an older value counts as no value. */
  absoluteTimeoutSec?: number;
  /** Permanent cookies carry Max-Age/Expires (needs `absoluteTimeoutSec`). */
  permanent: boolean;
}

/** The part of BalancerDeps the sticky layer needs; `now` is epoch milliseconds. */
export interface StickyDeps {
  keyring: SessionKeyring;
  now: () => number;
}

/** Cookie name used when an upstream names neither a cookie nor a header. */
export const DEFAULT_STICKY_COOKIE = 'berth_session';

/** stickyOptionsFrom: the sticky fields of an upstream, defaults applied. */
export function stickyOptionsFrom(u: UpstreamConfig): StickyOptions {
  const timeout = u.sticky_sessions_absolute_timeout;
  const opts: StickyOptions = {
    path: u.sticky_sessions_cookie_path ?? '/',
    permanent: u.sticky_sessions_lifetime === 'permanent',
  };
  if (u.sticky_sessions_header) opts.header = u.sticky_sessions_header;
  else opts.cookie = u.sticky_sessions_cookie ?? DEFAULT_STICKY_COOKIE;
  if (timeout !== undefined && timeout > 0) opts.absoluteTimeoutSec = Math.floor(timeout);
  return opts;
}

/** Per identity, computed once per keyring: the no-expiry value and the session id under each key. */
interface IdentityTokens {
  token: string;
  sessionIds: string[];
}

/** Bound on remembered verified values; full means start over (each entry is a valid value). */
const VERIFIED_CAP = 10_000;

/** Where a request's session value led: a target, or why there is none. */
type Resolution = TargetState | 'new' | 'invalid' | 'moved_gone';

// Cookie names are RFC 6265 tokens; a path must not end the attribute early.
const stripCookieName = (s: string): string => s.replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g, '');
const stripPath = (s: string): string => s.replace(/[;\u0000-\u001f\u007f]/g, '');

/**
 * StickyBalancer: pins a session to a target by an authenticated cookie or header, and asks
 * the wrapped balancer only for sessions that have no usable pin. A pinned target keeps its
 * sessions while it is in the config and healthy, weight 0 (draining) included; new sessions
 * come from `inner`, which never picks weight-0 targets. Lookup is one verification and one
 * map lookup; the common case (no expiry, current key) is a single map lookup on the raw value.
 */
export class StickyBalancer implements Balancer {
  /** Current-key no-expiry value -> target (the fast path). */
  private byToken = new Map<string, TargetState>();
  /** Session id under any key -> target (expiring and old-key values). */
  private bySessionId = new Map<string, TargetState>();
  private tokens = new Map<string, IdentityTokens>();
  /**
   * Expiring or old-key values that passed the MAC, so repeat requests skip the HMAC. Only
   * verified values enter (a client cannot fill it with garbage) and the cap bounds it.
   */
  private readonly verified = new Map<string, { sessionId: string; expiresAtSec: number }>();
  private readonly cookiePrefix: string;
  private readonly cookieAttrs: string;
  private readonly requestHeader: string | undefined;

  constructor(
    private readonly inner: Balancer,
    private readonly opts: StickyOptions,
    private readonly deps: StickyDeps,
  ) {
    this.cookiePrefix = `${stripCookieName(opts.cookie ?? DEFAULT_STICKY_COOKIE)}=`;
    this.cookieAttrs = `; Path=${stripPath(opts.path) || '/'}; HttpOnly; SameSite=Lax`;
    this.requestHeader = opts.header?.toLowerCase();
  }

  update(targets: readonly TargetState[]): void {
    this.inner.update(targets);
    const byToken = new Map<string, TargetState>();
    const bySessionId = new Map<string, TargetState>();
    const tokens = new Map<string, IdentityTokens>();
    for (const t of targets) {
      if (tokens.has(t.identity)) continue; // first target of an identity owns its sessions
      const ids = this.tokens.get(t.identity) ?? this.computeTokens(t.identity);
      tokens.set(t.identity, ids);
      byToken.set(ids.token, t);
      for (const id of ids.sessionIds) bySessionId.set(id, t);
    }
    this.byToken = byToken;
    this.bySessionId = bySessionId;
    this.tokens = tokens;
  }

  private computeTokens(identity: string): IdentityTokens {
    return { token: encodeSessionToken(this.deps.keyring, identity), sessionIds: sessionIdsOf(this.deps.keyring, identity) };
  }

  // Hot path.
  pick(req: PickRequest, exclude?: ReadonlySet<TargetState>): TargetState | null {
    const now = this.deps.now();
    const found = this.resolve(req, now);
    if (typeof found === 'string') return this.assign(req, found, now, exclude);
    if (found.servesPinned && !exclude?.has(found)) {
      found.stickyRouted.add(now);
      found.lastStickyAt = now;
      req.stickyOutcome = 'kept';
      return found;
    }
    return this.assign(req, found.removed ? 'moved_gone' : 'moved_unhealthy', now, exclude);
  }

  done(target: TargetState, latencyMs: number): void {
    this.inner.done?.(target, latencyMs);
  }

  /** resolve: the first value in the request that verifies wins. */
  private resolve(req: PickRequest, nowMs: number): Resolution {
    const raw = this.requestHeader === undefined ? req.headers.cookie : req.headers[this.requestHeader];
    if (raw === undefined) return 'new';
    if (typeof raw === 'string') return this.fromRaw(raw, nowMs);
    let seen: Resolution = 'new';
    for (const part of raw) {
      const r = this.fromRaw(part, nowMs);
      if (r !== 'new' && r !== 'invalid') return r;
      if (r === 'invalid') seen = r;
    }
    return seen;
  }

  private fromRaw(raw: string, nowMs: number): Resolution {
    return this.requestHeader === undefined
      ? this.scan(raw, this.cookiePrefix, ';', nowMs)
      : raw.length === TOKEN_LENGTH
        ? this.fromValue(raw, nowMs)
        : this.scan(raw, '', ',', nowMs);
  }

  /**
   * scan: finds `prefix` values separated by `sep` (cookies, or a repeated header Node joined
   * with commas) without building a map of every cookie.
   */
  private scan(header: string, prefix: string, sep: string, nowMs: number): Resolution {
    let seen: Resolution = 'new';
    let i = header.indexOf(prefix);
    while (i !== -1) {
      const start = i + prefix.length;
      const end = header.indexOf(sep, start);
      const before = i === 0 ? sep : header[i - 1];
      if (before === sep || before === ' ' || before === '\t') {
        const r = this.fromValue(header.slice(start, end === -1 ? header.length : end).trim(), nowMs);
        if (r !== 'invalid') return r;
        seen = r;
      }
      // A pair cannot start before its separator, so the next search begins after it.
      i = end === -1 ? -1 : header.indexOf(prefix, end + 1);
    }
    return seen;
  }

  private fromValue(value: string, nowMs: number): Resolution {
    if (value.length !== TOKEN_LENGTH) return 'invalid';
    // With an absolute timeout, a value without an expiry or with a later one (another upstream's,
    // or one issued before the timeout was set) must not outlive it: only values within it count.
    const timed = this.opts.absoluteTimeoutSec !== undefined;
    if (!timed) {
      const hit = this.byToken.get(value);
      if (hit !== undefined) return hit;
    }
    const nowSec = Math.floor(nowMs / 1000);
    const id = this.verify(value, nowSec, timed ? nowSec + this.opts.absoluteTimeoutSec! : 0);
    if (id === null) return 'invalid';
    return this.bySessionId.get(id) ?? 'moved_gone';
  }

  /** verify: the session id of a valid value; `maxExpiry` > 0 also requires 0 < expiry <= maxExpiry. */
  private verify(value: string, nowSec: number, maxExpiry: number): string | null {
    const known = this.verified.get(value);
    if (known !== undefined) {
      if (maxExpiry > 0 && (known.expiresAtSec === 0 || known.expiresAtSec > maxExpiry)) return null;
      if (known.expiresAtSec === 0 || known.expiresAtSec > nowSec) return known.sessionId;
      this.verified.delete(value);
      return null;
    }
    const id = verifySessionToken(this.deps.keyring, value, nowSec);
    if (id === null) return null;
    const expiresAtSec = sessionTokenExpiry(value);
    if (maxExpiry > 0 && (expiresAtSec === 0 || expiresAtSec > maxExpiry)) return null;
    if (this.verified.size >= VERIFIED_CAP) this.verified.clear();
    this.verified.set(value, { sessionId: id, expiresAtSec });
    return id;
  }

  /** assign: a fresh pin from the inner balancer, written back to the client. */
  private assign(
    req: PickRequest,
    outcome: StickyOutcome,
    nowMs: number,
    exclude: ReadonlySet<TargetState> | undefined,
  ): TargetState | null {
    req.stickyOutcome = outcome;
    const target = this.inner.pick(req, exclude);
    // The unresolved backends' share (answered 500) pins nothing.
    if (target === null || target === UNRESOLVED_BACKEND) return target;
    const value = this.valueFor(target, nowMs);
    if (this.opts.header !== undefined) req.setHeader = [this.opts.header, value];
    else req.setCookie = this.cookie(value, req.tls, nowMs);
    return target;
  }

  private valueFor(target: TargetState, nowMs: number): string {
    const timeout = this.opts.absoluteTimeoutSec;
    if (timeout === undefined) {
      return (this.tokens.get(target.identity) ?? this.computeTokens(target.identity)).token;
    }
    return encodeSessionToken(this.deps.keyring, target.identity, Math.floor(nowMs / 1000) + timeout);
  }

  private cookie(value: string, tls: boolean, nowMs: number): string {
    let out = this.cookiePrefix + value + this.cookieAttrs;
    if (tls) out += '; Secure';
    const timeout = this.opts.absoluteTimeoutSec;
    if (this.opts.permanent && timeout !== undefined) {
      out += `; Max-Age=${timeout}; Expires=${new Date(nowMs + timeout * 1000).toUTCString()}`;
    }
    return out;
  }
}
