// The admin dashboard in a real Chromium (Debian's, driven by playwright-core) during the guide's
// scale-down, with real processes: three `berth echo` pods and `berth run --manifests DIR`. The
// pod behind four sessions turns terminating; its clients leave one per second. The page, on a
// phone-sized screen, must show that pod DRAINING with a falling sticky-request rate, from the
// gateway's live counters. Screenshots go to test-output/ (gitignored). Needs `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import {
  ROOT, cookiePair, endpointSliceYaml, get, manifestsDir, podsOn, startBerthRun, startEchoPods, until,
  type Berth, type EchoPod, type Proc,
} from './manifests-harness.js';

const CHROMIUM = process.env['BERTH_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(ROOT, 'test-output');
const missing = !existsSync(CHROMIUM);

interface Card {
  state: string;
  drained: string;
  sticky: number[];
  sticky60: number;
}

/** cardOf reads one target's card as the page shows it (attributes and text, not our JSON). */
async function cardOf(page: Page, identity: string): Promise<Card | null> {
  return page.evaluate((id) => {
    const card = [...document.querySelectorAll<HTMLElement>('[data-identity]')].find((c) => c.dataset['identity'] === id);
    if (card === undefined) return null;
    return {
      state: card.querySelector('[data-role="state"]')!.textContent!,
      drained: card.dataset['drained']!,
      sticky: card.dataset['sticky']!.split(',').map(Number),
      sticky60: Number(card.querySelector('[data-role="sticky60"]')!.textContent),
    };
  }, identity);
}

if (missing && process.env['CI'] === 'true') {
  it('chromium is installed for the dashboard test', () => assert.fail(`${CHROMIUM} is missing (apt-get install chromium)`));
}

describe('dashboard: a real browser watches the guide\'s scale-down', { skip: missing ? `${CHROMIUM} not installed` : false, timeout: 120_000 }, () => {
  const pods: EchoPod[] = podsOn('127.0.0.', 71);
  let echoes: Proc[] = [];
  let berth: Berth | undefined;
  let browser: Browser | undefined;
  let dir = '';
  let port = 0;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    ({ port, procs: echoes } = await startEchoPods(pods));
    dir = await manifestsDir(pods, port);
    berth = await startBerthRun(dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await Promise.all([berth?.stop(), ...echoes.map((e) => e.stop())]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the terminating pod DRAINING with a falling session rate, on a phone-sized screen', async () => {
    // Twelve new sessions spread round-robin over three pods: four are pinned to each.
    const sessions = new Map<string, string[]>();
    for (let i = 0; i < 12; i++) {
      const r = await get(`${berth!.proxy}/echo`);
      assert.ok(r.pod && r.setCookie, `session ${i}: ${JSON.stringify(r)}`);
      sessions.set(r.pod, [...(sessions.get(r.pod) ?? []), cookiePair(r.setCookie)]);
    }
    const [podName, cookies] = [...sessions.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const pod = pods.find((p) => p.name === podName)!;
    assert.ok(cookies.length >= 3, `pod ${podName} has ${cookies.length} sessions`);

    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      const res = await page.goto(`${berth!.admin}/`);
      assert.equal(res?.status(), 200);
      assert.match(res!.headers()['content-security-policy'] ?? '', /default-src 'none'/);
      await page.waitForSelector(`[data-identity="${pod.uid}"]`, { timeout: 10_000 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} (${m.location().url})`));
      page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));

      // Every session of that pod sends ten requests a second; at the scale-down its clients
      // leave one per second (a session ending), so the pod's sticky rate falls to zero.
      let active = cookies.length;
      let sent = 0;
      const load = (async () => {
        const stopAt = Date.now() + 30_000;
        while (active > 0 && Date.now() < stopAt) {
          const tick = Date.now();
          const replies = await Promise.all(cookies.slice(0, active).map((c) => get(`${berth!.proxy}/echo`, c)));
          for (const r of replies) assert.equal(r.pod, podName, `a session left its draining pod (status ${r.status})`);
          sent += replies.length;
          await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
        }
      })();
      await new Promise((r) => setTimeout(r, 3_000));
      assert.equal((await cardOf(page, pod.uid))?.state, 'HEALTHCHECKS_OFF');
      await writeFile(join(dir, 'endpointslice.yaml'), endpointSliceYaml(pods, pods.map((p) => (p === pod ? 'terminating' : 'ready')), port));
      await page.waitForFunction((id) => document.querySelector(`[data-identity="${id}"] [data-role="state"]`)?.textContent === 'DRAINING', pod.uid, { timeout: 15_000 });
      for (; active > 0; active--) await new Promise((r) => setTimeout(r, 1_000));
      await load;
      assert.ok(sent > 20, `only ${sent} sticky requests were sent`);

      // Two quiet seconds, then the page (refreshed at least every second) shows the fall.
      const card = await until('the sparkline to show two quiet seconds', async () => {
        const c = await cardOf(page, pod.uid);
        return c !== null && c.sticky.slice(-3, -1).every((n) => n === 0) ? c : undefined;
      }, 10_000, 200);
      assert.equal(card.state, 'DRAINING');
      assert.equal(card.drained, 'false', 'sessions landed within the drain window');
      const peak = Math.max(...card.sticky);
      const firstActive = card.sticky.findIndex((n) => n > 0);
      const lastActive = card.sticky.length - 1 - [...card.sticky].reverse().findIndex((n) => n > 0);
      assert.ok(peak >= 5, `peak ${peak}/s in ${card.sticky.join(',')}`);
      assert.ok(card.sticky[lastActive]! < peak, `the rate fell: ${card.sticky.join(',')}`);
      assert.ok(firstActive >= 0 && lastActive - firstActive >= 4, `several seconds of traffic: ${card.sticky.join(',')}`);
      assert.equal(card.sticky60, card.sticky.reduce((a, b) => a + b, 0), 'the 60 s count is the sparkline sum');
      const others = await Promise.all(pods.filter((p) => p !== pod).map((p) => cardOf(page, p.uid)));
      assert.deepEqual(others.map((c) => c?.state), ['HEALTHCHECKS_OFF', 'HEALTHCHECKS_OFF']);

      // Routes, config hash and the controller's view are on the page too.
      const text = await page.textContent('body');
      assert.match(text ?? '', /httproute\.kong\.echo/);
      const hash = ((await (await fetch(`${berth!.admin}/status`)).json()) as { configuration_hash: string }).configuration_hash;
      assert.equal(await page.textContent('#hash'), hash);
      await page.waitForSelector('#kube:not([hidden])', { timeout: 5_000 });
      assert.match(await page.textContent('#kube-status') ?? '', /HTTPRoute kong\/echo/);
      // Readable on a phone: nothing is wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
      assert.deepEqual(errors, []);
      await page.screenshot({ path: join(OUT, 'dashboard-drain-phone.png'), fullPage: true });
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.screenshot({ path: join(OUT, 'dashboard-drain.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

describe('dashboard behind --admin-token', { skip: missing ? `${CHROMIUM} not installed` : false, timeout: 60_000 }, () => {
  let backend: Backend | undefined;
  let gw: GatewayProcess | undefined;
  let browser: Browser | undefined;

  before(async () => {
    backend = await startBackend({ name: 'tok', host: '127.0.0.74' });
    gw = await spawnGateway({
      args: ['--admin-token', 'dashboard-token-0123456789'],
      config: {
        _format_version: '3.0',
        services: [{ name: 'svc', host: 'up', routes: [{ name: 'r', paths: ['/'] }] }],
        upstreams: [{ name: 'up', targets: [{ target: backend.address, tags: ['berth.identity=uid-tok'] }] }],
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await backend?.close();
  });

  it('the page loads without the token, asks for it, then shows live data; the data alone stays closed', async () => {
    assert.equal((await fetch(`${gw!.adminUrl}/dashboard/state`)).status, 401);
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      assert.equal((await page.goto(`${gw!.adminUrl}/dashboard`))?.status(), 200);
      await page.waitForSelector('#auth:not([hidden])', { timeout: 10_000 });
      assert.equal(await page.$('[data-identity="uid-tok"]'), null, 'no data without the token');
      await page.fill('#token', 'dashboard-token-0123456789');
      await page.click('#auth button');
      await page.waitForSelector('[data-identity="uid-tok"]', { timeout: 10_000 });
      assert.equal(await page.isHidden('#auth'), true);
      assert.equal(await page.textContent('#conn'), 'live');
    } finally {
      await context.close();
    }
  });
});
