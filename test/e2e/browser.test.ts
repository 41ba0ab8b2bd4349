// A real browser (Debian's Chromium, headless, driven by playwright-core) keeps its sticky session
// through the gateway across reloads and a drain, and stores the cookie with the attributes issue 3
// specifies: HttpOnly, SameSite=Lax, Path=/, a session cookie, Secure only over HTTPS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBackend, type Backend } from '../helpers/backend.js';
import { ROOT, spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { COOKIE, postConfig, send, stickyConfig, type StickyTarget } from './support/sticky.js';

const CHROMIUM = process.env['BERTH_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STEP = { timeout: 60_000 };
const missing = !existsSync(CHROMIUM);

/** pageHandler: an HTML page naming the backend, whose script fetches /api (a same-origin subresource). */
function pageHandler(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend): void {
  if (req.url === '/api') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'X-Backend': backend.name });
    res.end(backend.name);
    return;
  }
  const html = `<!doctype html><title>${backend.name}</title><h1 id="backend">${backend.name}</h1><p id="api"></p>
<script>fetch('/api').then((r) => r.text()).then((t) => { document.getElementById('api').textContent = t; });</script>`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Backend': backend.name });
  res.end(html);
}

let backends: Backend[] = [];
let gw: GatewayProcess | undefined;
let browser: Browser | undefined;

function targets(drained?: string): StickyTarget[] {
  return backends.map((b) => ({ backend: b, identity: `uid-${b.name}`, weight: b.name === drained ? 0 : 100 }));
}

/** load: navigates (or reloads) and returns the backend named by the page and by its /api fetch. */
async function load(page: Page, url?: string): Promise<string> {
  const res = url === undefined ? await page.reload() : await page.goto(url);
  assert.equal(res?.status(), 200);
  await page.waitForFunction(() => document.getElementById('api')?.textContent !== '', undefined, { timeout: 10_000 });
  const [name, api] = await Promise.all([page.textContent('#backend'), page.textContent('#api')]);
  assert.equal(api, name, 'the page and its subresource reached different backends');
  return name!;
}

async function sessionCookie(context: BrowserContext): Promise<Awaited<ReturnType<BrowserContext['cookies']>>[number]> {
  const cookies = (await context.cookies()).filter((c) => c.name === COOKIE);
  assert.equal(cookies.length, 1, JSON.stringify(cookies));
  return cookies[0]!;
}

if (missing && process.env['CI'] === 'true') {
  test('chromium is installed for the browser test', () => {
    assert.fail(`${CHROMIUM} is missing: CI installs Debian's chromium (apt-get install chromium, see .ci/run)`);
  });
}

describe('browser: a real Chromium keeps its sticky session', { skip: missing ? `${CHROMIUM} not installed` : false }, () => {
  before(async () => {
    backends = await Promise.all(['A', 'B', 'C'].map((name, i) => startBackend({ name, host: `127.0.0.${51 + i}`, handler: pageHandler })));
    const tls = join(ROOT, 'test', 'fixtures', 'tls');
    const certificates = [{ cert: readFileSync(join(tls, 'a.crt'), 'utf8'), key: readFileSync(join(tls, 'a.key'), 'utf8'), snis: ['a.example.test'] }];
    gw = await spawnGateway({ config: stickyConfig(targets(), { certificates }), tls: true, args: ['--session-secret', 'browser-e2e-secret-0123456789'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('reloads stay on one backend; the cookie is HttpOnly, SameSite=Lax, Path=/, session, not Secure on http', STEP, async () => {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const first = await load(page, `${gw!.proxyUrl}/`);
      const served = backends.find((b) => b.name === first)!;
      const before = served.requests;
      for (let i = 0; i < 10; i++) assert.equal(await load(page), first, `reload ${i + 1} changed backend`);
      assert.ok(served.requests - before >= 20, 'reloads did not reach the backend (10 pages + 10 fetches)');

      const cookie = await sessionCookie(context);
      assert.match(cookie.value, /^[A-Za-z0-9_-]{52}$/);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/');
      assert.equal(cookie.expires, -1, 'a session cookie has no expiry');
      assert.equal(cookie.secure, false);
      assert.equal(cookie.domain, gw!.proxy.host);
      assert.ok(!(await page.evaluate(() => document.cookie)).includes(COOKIE), 'HttpOnly cookie visible to scripts');

      await postConfig(gw!.adminUrl, stickyConfig(targets(first)));
      for (let i = 0; i < 5; i++) assert.equal(await load(page), first, 'the browser lost its draining backend');
      assert.equal((await sessionCookie(context)).value, cookie.value, 'the cookie changed during the drain');

      const other = await browser!.newContext();
      try {
        const fresh = await load(await other.newPage(), `${gw!.proxyUrl}/`);
        assert.notEqual(fresh, first, 'a new browser session landed on the draining backend');
      } finally {
        await other.close();
      }
    } finally {
      await context.close();
      await postConfig(gw!.adminUrl, stickyConfig(targets()));
    }
  });

  test('over HTTPS the cookie is also Secure and the session sticks', STEP, async () => {
    assert.ok(gw!.tls, 'the gateway has no TLS listener');
    const direct = await send(`https://${gw!.tls.host}:${gw!.tls.port}/`, {});
    assert.equal(direct.status, 200);
    assert.match(direct.setCookie ?? '(none)', new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{52}; Path=/; HttpOnly; SameSite=Lax; Secure$`));
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      const first = await load(page, `https://${gw!.tls.host}:${gw!.tls.port}/`);
      for (let i = 0; i < 5; i++) assert.equal(await load(page), first, `https reload ${i + 1} changed backend`);
      const cookie = await sessionCookie(context);
      assert.equal(cookie.secure, true);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/');
      assert.equal(cookie.expires, -1);
    } finally {
      await context.close();
    }
  });
});
