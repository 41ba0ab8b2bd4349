import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { TargetState } from '../targets/target.js';
import { SessionKeyring, encodeSessionToken } from '../sticky/token.js';
import type { Balancer, PickRequest } from './balancer.js';
import { RoundRobinBalancer } from './round-robin.js';
import { StickyBalancer, stickyOptionsFrom, type StickyOptions } from './sticky.js';

/** Picks servesNew targets in turn, so these tests do not depend on round-robin.ts. */
class InTurn implements Balancer {
  private targets: readonly TargetState[] = [];
  private next = 0;
  update(targets: readonly TargetState[]): void {
    this.targets = targets;
  }
  pick(_req: PickRequest, exclude?: ReadonlySet<TargetState>): TargetState | null {
    for (let n = 0; n < this.targets.length; n++) {
      const t = this.targets[this.next++ % this.targets.length]!;
      if (t.servesNew && !exclude?.has(t)) return t;
    }
    return null;
  }
}

const keyring = SessionKeyring.fromSecrets(['sticky-test-secret-0123']);
let clock = 1_800_000_000_000;
const deps = { keyring, now: () => clock };

function target(identity: string, port: number, weight = 100): TargetState {
  return new TargetState('up', identity, '10.0.0.1', port, weight);
}

function request(headers: IncomingHttpHeaders = {}, tls = false): PickRequest {
  return {
    method: 'GET', path: '/', query: '', headers, clientIp: '127.0.0.1', tls, uriCaptures: undefined,
    setCookie: undefined, setHeader: undefined, stickyOutcome: undefined,
  };
}

function cookieValue(setCookie: string | undefined): string {
  const m = /^sess=([^;]+)/.exec(setCookie ?? '');
  assert.ok(m, `no sess cookie in ${setCookie}`);
  return m[1]!;
}

function balancer(targets: TargetState[], opts: Partial<StickyOptions> = {}): StickyBalancer {
  const b = new StickyBalancer(new InTurn(), { cookie: 'sess', path: '/', permanent: false, ...opts }, deps);
  b.update(targets);
  return b;
}

test('a request without a cookie gets a target and a Set-Cookie with the attributes', () => {
  const a = target('uid-a', 1);
  const b = balancer([a, target('uid-b', 2)], { path: '/app' });
  const req = request();
  assert.equal(b.pick(req), a);
  assert.equal(req.stickyOutcome, 'new');
  assert.equal(req.setCookie, `sess=${encodeSessionToken(keyring, 'uid-a')}; Path=/app; HttpOnly; SameSite=Lax`);
  const tls = request({}, true);
  b.pick(tls);
  assert.match(tls.setCookie ?? '', /; HttpOnly; SameSite=Lax; Secure$/);
});

test('a valid cookie keeps its target, including at weight 0, without a new Set-Cookie', () => {
  const a = target('uid-a', 1);
  const others = [target('uid-b', 2), target('uid-c', 3)];
  const b = balancer([a, ...others]);
  const first = request();
  b.pick(first);
  const cookie = `other=1; sess=${cookieValue(first.setCookie)}; x=y`;
  a.weight = 0;
  b.update([a, ...others]);
  for (let i = 0; i < 20; i++) {
    const req = request({ cookie });
    assert.equal(b.pick(req), a);
    assert.equal(req.stickyOutcome, 'kept');
    assert.equal(req.setCookie, undefined);
  }
  assert.equal(a.stickyRouted.count(clock), 20);
  assert.equal(a.lastStickyAt, clock);
  for (let i = 0; i < 20; i++) assert.notEqual(b.pick(request()), a, 'new sessions never land on weight 0');
});

test('gone, unhealthy, excluded and invalid pins move with a new cookie', () => {
  const [a, bt, c] = [target('uid-a', 1), target('uid-b', 2), target('uid-c', 3)];
  const b = balancer([a, bt, c]);
  const pinned = `sess=${encodeSessionToken(keyring, 'uid-a')}`;

  a.healthy = false;
  const unhealthy = request({ cookie: pinned });
  assert.notEqual(b.pick(unhealthy), a);
  assert.equal(unhealthy.stickyOutcome, 'moved_unhealthy');
  assert.ok(unhealthy.setCookie);
  a.healthy = true;

  const excluded = request({ cookie: pinned });
  assert.equal(b.pick(excluded, new Set([a, bt])), c);
  assert.equal(excluded.stickyOutcome, 'moved_unhealthy');
  assert.equal(cookieValue(excluded.setCookie), encodeSessionToken(keyring, 'uid-c'));

  b.update([bt, c]);
  const gone = request({ cookie: pinned });
  assert.ok([bt, c].includes(b.pick(gone)!));
  assert.equal(gone.stickyOutcome, 'moved_gone');
  const moved = cookieValue(gone.setCookie);
  const again = request({ cookie: `sess=${moved}` });
  assert.ok([bt, c].includes(b.pick(again)!));
  assert.equal(again.stickyOutcome, 'kept');

  const forged = request({ cookie: 'sess=' + 'A'.repeat(52) });
  b.pick(forged);
  assert.equal(forged.stickyOutcome, 'invalid');
  assert.ok(forged.setCookie);
});

test('a new pod at a reused address does not inherit the old pod sessions', () => {
  const old = new TargetState('up', 'uid-old', '10.0.0.9', 80, 100);
  const b = balancer([old, target('uid-b', 2)]);
  const req = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-old')}` });
  assert.equal(b.pick(req), old);
  const reborn = new TargetState('up', 'uid-new', '10.0.0.9', 80, 100);
  b.update([reborn, target('uid-b', 2)]);
  const after = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-old')}` });
  b.pick(after);
  assert.equal(after.stickyOutcome, 'moved_gone');
});

test('several cookies with our name: the first valid one wins', () => {
  const [a, bt] = [target('uid-a', 1), target('uid-b', 2)];
  const b = balancer([a, bt]);
  const cookie = `sess=garbage; xsess=${encodeSessionToken(keyring, 'uid-a')}; sess=${encodeSessionToken(keyring, 'uid-b')}; sess=${encodeSessionToken(keyring, 'uid-a')}`;
  const req = request({ cookie });
  assert.equal(b.pick(req), bt);
  assert.equal(req.stickyOutcome, 'kept');
});

test('rotation: a value signed with an old key still keeps its target', () => {
  const old = SessionKeyring.fromSecrets(['old-sticky-secret-0123']);
  const rotated = SessionKeyring.fromSecrets(['new-sticky-secret-0123', 'old-sticky-secret-0123']);
  const [a, bt] = [target('uid-a', 1), target('uid-b', 2)];
  const b = new StickyBalancer(new InTurn(), { cookie: 'sess', path: '/', permanent: false }, { keyring: rotated, now: () => clock });
  b.update([a, bt]);
  const req = request({ cookie: `sess=${encodeSessionToken(old, 'uid-b')}` });
  assert.equal(b.pick(req), bt);
  assert.equal(req.stickyOutcome, 'kept');
});

test('absolute timeout: expired values count as invalid; permanent cookies carry Max-Age and Expires', () => {
  const a = target('uid-a', 1);
  const b = balancer([a, target('uid-b', 2)], { absoluteTimeoutSec: 300, permanent: true });
  const req = request();
  b.pick(req);
  assert.match(req.setCookie ?? '', /; Max-Age=300; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  const expires = Date.parse(/Expires=(.*)$/.exec(req.setCookie!)![1]!);
  assert.equal(expires, Math.floor((clock + 300_000) / 1000) * 1000);
  const cookie = `sess=${cookieValue(req.setCookie)}`;
  const kept = request({ cookie });
  assert.equal(b.pick(kept), a);
  assert.equal(kept.stickyOutcome, 'kept');
  clock += 301_000;
  const late = request({ cookie });
  b.pick(late);
  assert.equal(late.stickyOutcome, 'invalid');
});

test('absolute timeout: a value without an expiry (from an upstream without one) does not bypass it', () => {
  const [a, bt] = [target('uid-a', 1), target('uid-b', 2)];
  const b = balancer([a, bt], { absoluteTimeoutSec: 300 });
  const req = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-b')}` });
  b.pick(req);
  assert.equal(req.stickyOutcome, 'invalid');
  assert.match(req.setCookie ?? '', /^sess=/);
  const nowSec = Math.floor(clock / 1000);
  const longer = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-b', nowSec + 86_400)}` });
  b.pick(longer);
  assert.equal(longer.stickyOutcome, 'invalid');
  const within = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-b', nowSec + 200)}` });
  assert.equal(b.pick(within), bt);
  assert.equal(within.stickyOutcome, 'kept');
});

test('header mode: reads the request header and answers with the response header', () => {
  const [a, bt] = [target('uid-a', 1), target('uid-b', 2)];
  const b = balancer([a, bt], { header: 'X-Session' });
  const req = request();
  const picked = b.pick(req);
  assert.equal(req.setCookie, undefined);
  assert.equal(req.setHeader?.[0], 'X-Session');
  for (let i = 0; i < 5; i++) {
    const next = request({ 'x-session': req.setHeader![1] });
    assert.equal(b.pick(next), picked);
    assert.equal(next.setHeader, undefined);
  }
  const joined = request({ 'x-session': `junk, ${req.setHeader![1]}` });
  assert.equal(b.pick(joined), picked);
  assert.equal(joined.stickyOutcome, 'kept');
});

test('no serving target: null, never a throw', () => {
  const a = target('uid-a', 1, 0);
  const b = balancer([a]);
  assert.equal(b.pick(request()), null);
  const req = request({ cookie: `sess=${encodeSessionToken(keyring, 'uid-a')}` });
  assert.equal(b.pick(req), a, 'a draining target still serves its session');
});

test('property: arbitrary Cookie headers never throw and never reach a target they were not issued for', () => {
  const [a, bt] = [target('uid-a', 1), target('uid-b', 2, 0)];
  const b = balancer([a, bt]);
  const tokenB = encodeSessionToken(keyring, 'uid-b');
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (cookie) => {
      fc.pre(!cookie.includes(tokenB));
      return b.pick(request({ cookie })) === a;
    }),
    { numRuns: 1000 },
  );
});

test('stickyOptionsFrom maps the upstream fields', () => {
  assert.deepEqual(stickyOptionsFrom({ name: 'u', sticky_sessions_cookie: 'c' }), { cookie: 'c', path: '/', permanent: false });
  assert.deepEqual(
    stickyOptionsFrom({
      name: 'u', sticky_sessions_header: 'X-S', sticky_sessions_absolute_timeout: 300,
      sticky_sessions_lifetime: 'permanent', sticky_sessions_cookie_path: '/a',
    }),
    { header: 'X-S', path: '/a', permanent: true, absoluteTimeoutSec: 300 },
  );
});

test('with round-robin: 200 sessions survive a drain, 300 new ones avoid it, removal moves them once', () => {
  const [a, bt, c] = [target('uid-a', 1), target('uid-b', 2), target('uid-c', 3)];
  const b = new StickyBalancer(new RoundRobinBalancer(), { cookie: 'sess', path: '/', permanent: false }, deps);
  b.update([a, bt, c]);
  const sessions = Array.from({ length: 200 }, () => {
    const req = request();
    return { target: b.pick(req)!, cookie: `sess=${cookieValue(req.setCookie)}` };
  });
  assert.equal(sessions.filter((s) => s.target === a).length, 67, 'round-robin spread');
  a.weight = 0;
  b.update([a, bt, c]);
  for (const s of sessions) assert.equal(b.pick(request({ cookie: s.cookie })), s.target);
  for (let i = 0; i < 300; i++) assert.notEqual(b.pick(request()), a);
  b.update([bt, c]);
  for (const s of sessions.filter((x) => x.target === a)) {
    const moved = request({ cookie: s.cookie });
    const to = b.pick(moved)!;
    assert.equal(moved.stickyOutcome, 'moved_gone');
    const next = request({ cookie: `sess=${cookieValue(moved.setCookie)}` });
    assert.equal(b.pick(next), to);
    assert.equal(next.stickyOutcome, 'kept');
  }
});

test('two gateways with the same secret route a cookie to the same target, whatever the target order', () => {
  const secret = 'shared-gateway-secret-0123';
  const make = (order: string[]): { b: StickyBalancer; ts: TargetState[] } => {
    const ts = order.map((id, i) => target(id, 10 + i));
    const b = new StickyBalancer(new InTurn(), { cookie: 'sess', path: '/', permanent: false }, {
      keyring: SessionKeyring.fromSecrets([secret]), now: () => clock,
    });
    b.update(ts);
    return { b, ts };
  };
  const one = make(['uid-a', 'uid-b', 'uid-c']);
  const two = make(['uid-c', 'uid-a', 'uid-b']);
  for (let i = 0; i < 6; i++) {
    const req = request();
    const picked = one.b.pick(req)!;
    const other = two.b.pick(request({ cookie: `sess=${cookieValue(req.setCookie)}` }))!;
    assert.equal(other.identity, picked.identity);
  }
});

test('reloads that keep a session target never move the session', () => {
  const a = target('uid-a', 1);
  const b = balancer([a, target('uid-b', 2)]);
  const first = request();
  b.pick(first);
  const cookie = `sess=${cookieValue(first.setCookie)}`;
  const reloads: TargetState[][] = [
    [target('uid-x', 9), a],
    [a, target('uid-b', 2, 5), target('uid-c', 3)],
    [target('uid-d', 4, 0), a],
    [a],
  ];
  for (const list of reloads) {
    b.update(list);
    const req = request({ cookie });
    assert.equal(b.pick(req), a);
    assert.equal(req.stickyOutcome, 'kept');
  }
});
