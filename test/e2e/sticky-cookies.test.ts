// End-to-end: session cookie values across gateway processes. Forged, truncated, oversized and
// foreign values are "no cookie" (200 + a new cookie, never 5xx); the same secret means the same
// routing in every replica; a rotated keyring still honours old values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { COOKIE, Session, cookieValue, send, stickyConfig, type Hit } from './support/sticky.js';

const SECRET = 'cookies-e2e-secret-0123456789abcdef';
const OTHER_SECRET = 'another-secret-fedcba9876543210';
const NEW_SECRET = 'rotated-secret-aaaabbbbccccdddd';
const STEP = { timeout: 60_000 };

let backends: Backend[] = [];
const gateways: GatewayProcess[] = [];
let gw1: GatewayProcess, gw2: GatewayProcess, foreign: GatewayProcess, rotated: GatewayProcess;
/** One valid gw1 cookie per backend name. */
const cookieFor = new Map<string, string>();

/** start: a gateway with `secret` given by flag, or in a file when `fromFile` (as a Secret volume would). */
async function start(secret: string, fromFile = false): Promise<GatewayProcess> {
  const config = stickyConfig(backends.map((b) => ({ backend: b, identity: `uid-${b.name}` })));
  const args = ['--session-secret', secret];
  if (fromFile) {
    const file = join(await mkdtemp(join(tmpdir(), 'berth-secret-')), 'secret');
    await writeFile(file, `${secret}\n`);
    args.splice(0, 2, '--session-secret-file', file);
  }
  const gw = await spawnGateway({ config, args, env: { BERTH_SESSION_SECRET: '' } });
  gateways.push(gw);
  return gw;
}

/** assertNewSession: the value was treated as absent: 200, a backend, and a fresh valid cookie. */
async function assertNewSession(gw: GatewayProcess, hit: Hit, why: string): Promise<string> {
  assert.equal(hit.status, 200, `${why}: status ${hit.status}`);
  assert.notEqual(hit.backend, '', why);
  assert.ok(hit.setCookie !== undefined, `${why}: no new Set-Cookie`);
  const value = cookieValue(hit.setCookie);
  const back = await send(gw.proxyUrl + '/check', { cookie: `${COOKIE}=${value}` });
  assert.equal(back.backend, hit.backend, `${why}: the new cookie does not stick`);
  assert.equal(back.setCookie, undefined, `${why}: the new cookie is not accepted as valid`);
  return value;
}

/** rawGet sends bytes a Node client refuses to (obs-text in a header) and returns the response head. */
function rawGet(gw: GatewayProcess, cookieBytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(gw.proxy.port, gw.proxy.host);
    let text = '';
    sock.setTimeout(10_000, () => sock.destroy(new Error('raw request timed out')));
    sock.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end !== -1) {
        sock.destroy();
        resolve(text.slice(0, end));
      }
    });
    sock.on('error', reject);
    const head = Buffer.from(`GET /raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: ${COOKIE}=`, 'latin1');
    // write, not end: Node's HTTP server drops a request whose client half-closes before the answer.
    sock.write(Buffer.concat([head, cookieBytes, Buffer.from('\r\n\r\n', 'latin1')]));
  });
}

describe('sticky cookies across gateway processes', () => {
  before(async () => {
    backends = await Promise.all(['A', 'B', 'C'].map((name, i) => startBackend({ name, host: `127.0.0.${31 + i}` })));
    // allSettled: every process that did start is in `gateways` for `after` to stop.
    const started = await Promise.allSettled([
      start(SECRET),
      start(SECRET, true),
      start(OTHER_SECRET),
      start(`${NEW_SECRET},${SECRET}`),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    [gw1, gw2, foreign, rotated] = started.map((r) => (r as PromiseFulfilledResult<GatewayProcess>).value) as [
      GatewayProcess,
      GatewayProcess,
      GatewayProcess,
      GatewayProcess,
    ];
    for (let i = 0; i < 30 && cookieFor.size < 3; i++) {
      const s = new Session(gw1.proxyUrl);
      await s.get('/');
      cookieFor.set(s.backend, s.cookie!);
    }
    assert.deepEqual([...cookieFor.keys()].sort(), ['A', 'B', 'C']);
  });

  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(backends.map((b) => b.close()));
  });

  test('two gateways with the same secret (flag, file) route every cookie to the same target', STEP, async () => {
    for (const [name, value] of cookieFor) {
      for (const gw of [gw1, gw2]) {
        const hit = await send(gw.proxyUrl + '/same', { cookie: `${COOKIE}=${value}` });
        assert.equal(hit.backend, name);
        assert.equal(hit.setCookie, undefined);
      }
    }
    // The other replica mints the very same value for a new session on a target.
    for (let i = 0; i < 6; i++) {
      const s = new Session(gw2.proxyUrl);
      await s.get('/');
      assert.equal(s.cookie, cookieFor.get(s.backend));
    }
  });

  test('a cookie issued under another secret starts a new session', STEP, async () => {
    for (const value of cookieFor.values()) {
      const hit = await send(foreign.proxyUrl + '/foreign', { cookie: `${COOKIE}=${value}` });
      const fresh = await assertNewSession(foreign, hit, 'foreign-secret cookie');
      assert.notEqual(fresh, value);
    }
  });

  test('after rotation (new secret first, old one kept) old cookies still stick without a new cookie', STEP, async () => {
    for (const [name, value] of cookieFor) {
      const hit = await send(rotated.proxyUrl + '/rotated', { cookie: `${COOKIE}=${value}` });
      assert.equal(hit.backend, name);
      assert.equal(hit.setCookie, undefined);
    }
    const s = new Session(rotated.proxyUrl);
    await s.get('/');
    assert.notEqual(s.cookie, cookieFor.get(s.backend), 'new sessions must be signed with the new (first) secret');
  });

  test('forged, truncated, oversized and malformed values are treated as no cookie', STEP, async () => {
    const valid = cookieFor.get('B')!;
    const flip = (v: string, i: number): string => v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
    const cases: Array<[string, string]> = [
      ['empty', `${COOKIE}=`],
      ['name only', COOKIE],
      ['truncated by one', `${COOKIE}=${valid.slice(0, -1)}`],
      ['half', `${COOKIE}=${valid.slice(0, 26)}`],
      ['one extra char', `${COOKIE}=${valid}A`],
      ['first char flipped', `${COOKIE}=${flip(valid, 0)}`],
      ['last char flipped', `${COOKIE}=${flip(valid, 51)}`],
      ['MAC zeroed', `${COOKIE}=${valid.slice(0, 31)}${'A'.repeat(21)}`],
      ['standard base64 chars', `${COOKIE}=${valid.slice(0, 50)}+/`],
      ['quoted', `${COOKIE}="${valid}"`],
      ['oversized', `${COOKIE}=${'x'.repeat(6000)}`],
      ['address', `${COOKIE}=127.0.0.32:${backends[1]!.port}`],
      ['base64 address', `${COOKIE}=${Buffer.from(backends[1]!.address).toString('base64')}`],
      ['separators', `${COOKIE}=;;;=;${COOKIE}==;`],
    ];
    for (const [why, header] of cases) {
      const hit = await send(gw1.proxyUrl + '/bad', { cookie: header });
      await assertNewSession(gw1, hit, why);
    }
  });

  test('a valid cookie among other cookies or after a bad duplicate still sticks', STEP, async () => {
    const valid = cookieFor.get('C')!;
    for (const header of [`a=1; ${COOKIE}=${valid}; b=2`, `${COOKIE}=junk; ${COOKIE}=${valid}`, `x${COOKIE}=1; ${COOKIE}=${valid}`]) {
      const hit = await send(gw1.proxyUrl + '/mixed', { cookie: header });
      assert.equal(hit.backend, 'C', header);
      assert.equal(hit.setCookie, undefined, header);
    }
  });

  test('non-ASCII bytes in the cookie never cause a 5xx', STEP, async () => {
    for (const bytes of [Buffer.from([0xff, 0xfe, 0x80, 0x41]), Buffer.alloc(52, 0xc3), Buffer.from('ü€', 'utf8')]) {
      const head = await rawGet(gw1, bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      assert.ok(status >= 200 && status < 500, `bytes ${bytes.toString('hex')}: ${head}`);
      if (status === 200) assert.match(head, new RegExp(`\r\nSet-Cookie: ${COOKIE}=`, 'i'), head);
    }
  });

  test('property: any printable value, or any mutation of a valid one, is a new session', STEP, async () => {
    const printable = fc.string({ unit: fc.constantFrom(...' !#$%&\'()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~\t"\\,'), maxLength: 120 });
    const mutated = fc.tuple(fc.constantFrom(...cookieFor.values()), fc.nat(51), fc.constantFrom('flip', 'cut', 'grow')).map(([v, i, op]) => {
      if (op === 'cut') return v.slice(0, i);
      if (op === 'grow') return v.slice(0, i) + 'Q' + v.slice(i);
      return v.slice(0, i) + (v[i] === 'z' ? 'y' : 'z') + v.slice(i + 1);
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, mutated), async (value) => {
        const hit = await send(gw1.proxyUrl + '/prop', { cookie: `${COOKIE}=${value}` });
        await assertNewSession(gw1, hit, JSON.stringify(value));
      }),
      { numRuns: 80 },
    );
  });
});
