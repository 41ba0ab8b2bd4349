// End-to-end: Gateway API session persistence on the sticky upstream (berth extensions):
// a permanent cookie with Max-Age/Expires, an absolute timeout signed into the value, and the
// session carried in a request/response header instead of a cookie.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { request } from '../helpers/http.js';
import { COOKIE, cookieValue, send } from './support/sticky.js';

const STEP = { timeout: 60_000 };
const HEADER = 'x-berth-session';
let backends: Backend[] = [];
let gw: GatewayProcess | undefined;

/** route: a service on `/<name>` in front of its own sticky upstream with `fields`. */
function route(name: string, fields: Record<string, unknown>): { service: unknown; upstream: unknown } {
  return {
    service: { name, host: `up-${name}`, routes: [{ name, paths: [`/${name}`] }] },
    upstream: {
      name: `up-${name}`,
      algorithm: 'sticky-sessions',
      ...fields,
      targets: backends.map((b) => ({ target: b.address, tags: [`berth.identity=${name}-${b.name}`] })),
    },
  };
}

function config(): unknown {
  const parts = [
    route('permanent', { sticky_sessions_cookie: COOKIE, sticky_sessions_absolute_timeout: 300, sticky_sessions_lifetime: 'permanent' }),
    route('short', { sticky_sessions_cookie: COOKIE, sticky_sessions_absolute_timeout: 1 }),
    route('header', { sticky_sessions_header: HEADER }),
    route('scoped', { sticky_sessions_cookie: COOKIE, sticky_sessions_cookie_path: '/scoped' }),
  ];
  return { _format_version: '3.0', services: parts.map((p) => p.service), upstreams: parts.map((p) => p.upstream) };
}

describe('sticky session persistence: lifetime, absolute timeout, header mode, path', () => {
  before(async () => {
    backends = await Promise.all(['A', 'B'].map((name, i) => startBackend({ name, host: `127.0.0.${61 + i}` })));
    gw = await spawnGateway({ config: config(), args: ['--session-secret', 'persistence-e2e-secret-0123456789'] });
  });

  after(async () => {
    await gw?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('a permanent cookie carries Max-Age and Expires of the absolute timeout, and sticks', STEP, async () => {
    const first = await send(`${gw!.proxyUrl}/permanent`, {});
    assert.equal(first.status, 200);
    const m = new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{52}; Path=/; HttpOnly; SameSite=Lax; Max-Age=300; Expires=(.+)$`).exec(first.setCookie ?? '');
    assert.ok(m, `Set-Cookie: ${first.setCookie}`);
    const expires = Date.parse(m[1]!);
    assert.ok(Math.abs(expires - (Date.now() + 300_000)) < 5_000, `Expires ${m[1]} is not 5 minutes away`);
    const value = cookieValue(first.setCookie!);
    for (let i = 0; i < 5; i++) {
      const hit = await send(`${gw!.proxyUrl}/permanent`, { cookie: `${COOKIE}=${value}` });
      assert.equal(hit.backend, first.backend);
      assert.equal(hit.setCookie, undefined);
    }
  });

  test('after the absolute timeout the value counts as no cookie', STEP, async () => {
    const first = await send(`${gw!.proxyUrl}/short`, {});
    assert.match(first.setCookie ?? '', new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{52}; Path=/; HttpOnly; SameSite=Lax$`));
    const value = cookieValue(first.setCookie!);
    const soon = await send(`${gw!.proxyUrl}/short`, { cookie: `${COOKIE}=${value}` });
    // The value expires at the next whole second after 1 s, so it may lapse already on a slow machine.
    if (soon.setCookie === undefined) assert.equal(soon.backend, first.backend);
    await new Promise((r) => setTimeout(r, 2_100));
    const late = await send(`${gw!.proxyUrl}/short`, { cookie: `${COOKIE}=${value}` });
    assert.equal(late.status, 200);
    assert.ok(late.setCookie !== undefined, 'an expired value was honoured');
    assert.notEqual(cookieValue(late.setCookie), value);
  });

  test('header mode: the session travels in a header, never in a cookie', STEP, async () => {
    const first = await request(`${gw!.proxyUrl}/header`);
    assert.equal(first.status, 200);
    assert.equal(first.headers['set-cookie'], undefined);
    const value = first.headers[HEADER];
    assert.match(String(value), /^[A-Za-z0-9_-]{52}$/);
    const backend = first.headers['x-backend'];
    for (let i = 0; i < 5; i++) {
      const hit = await request(`${gw!.proxyUrl}/header`, { headers: { [HEADER]: String(value) } });
      assert.equal(hit.headers['x-backend'], backend);
      assert.equal(hit.headers[HEADER], undefined, 'the header was set again on a kept session');
    }
    const forged = await request(`${gw!.proxyUrl}/header`, { headers: { [HEADER]: 'A'.repeat(52) } });
    assert.equal(forged.status, 200);
    assert.match(String(forged.headers[HEADER]), /^[A-Za-z0-9_-]{52}$/);
  });

  test('sticky_sessions_cookie_path is the cookie Path', STEP, async () => {
    const first = await send(`${gw!.proxyUrl}/scoped/page`, {});
    assert.match(first.setCookie ?? '', /; Path=\/scoped; HttpOnly; SameSite=Lax$/);
  });
});
