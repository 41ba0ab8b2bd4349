// Admin API security (issue 11, point 4): with --admin-token (here from BERTH_ADMIN_TOKEN_FILE, a
// mounted Secret) every admin request but GET /status needs the bearer token; the controller's
// pusher sends it; GET /config never shows a private key. Needs `npm run build`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatewayPusher } from '../../src/controlplane/pusher.js';
import { silentLogger } from '../../src/lib/log.js';
import { ROOT, spawnGateway, type GatewayProcess } from '../helpers/gateway.js';

const TOKEN = 'split-mode-admin-token-0123456789';
const tls = join(ROOT, 'test', 'fixtures', 'tls');
const key = readFileSync(join(tls, 'a.key'), 'utf8');
const config = {
  _format_version: '3.0',
  certificates: [{ cert: readFileSync(join(tls, 'a.crt'), 'utf8'), key, snis: ['a.example.test'] }],
  services: [{ name: 's', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/'] }] }],
};

describe('admin API with a token', { timeout: 60_000 }, () => {
  let gw: GatewayProcess;
  const call = (method: string, path: string, token?: string, body?: unknown) => fetch(`${gw.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'berth-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    gw = await spawnGateway({ config, tls: true, env: { BERTH_ADMIN_TOKEN_FILE: file } });
  });
  after(async () => {
    await gw?.stop();
  });

  it('refuses every admin request without the right token, except GET /status', async () => {
    assert.equal((await call('GET', '/status')).status, 200);
    for (const [method, path] of [['GET', '/config'], ['POST', '/config'], ['GET', '/upstreams'], ['GET', '/metrics'], ['PUT', '/upstreams/u/targets/t/healthy']]) {
      for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        const res = await call(method!, path!, token, method === 'POST' ? { _format_version: '3.0' } : undefined);
        assert.equal(res.status, 401, `${method} ${path} with ${token}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
    const basic = await fetch(`${gw.adminUrl}/config`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal(basic.status, 401);
    assert.equal((await call('GET', '/upstreams', TOKEN)).status, 200);
  });

  it('GET /config never returns a private key', async () => {
    const res = await call('GET', '/config', TOKEN);
    assert.equal(res.status, 200);
    const text = JSON.stringify(await res.json());
    assert.ok(!text.includes('PRIVATE KEY'), 'a private key was returned');
    assert.ok(!text.includes(key.split('\n')[1]!), 'key material was returned');
    assert.match(text, /BEGIN CERTIFICATE/);
    assert.match(text, /<redacted>/);
  });

  it('the controller pushes with the token; without it the push fails and the running config stays', async () => {
    const before = (await (await call('GET', '/status')).json()) as { configuration_hash: string };
    const next = { ...config, services: [{ ...config.services[0]!, name: 's2' }] };
    const anonymous = new GatewayPusher({ urls: [gw.adminUrl], log: silentLogger(), timeoutMs: 5000 });
    await assert.rejects(anonymous.push(next as never, 'h1'));
    assert.equal(((await (await call('GET', '/status')).json()) as { configuration_hash: string }).configuration_hash, before.configuration_hash);
    const pusher = new GatewayPusher({ urls: [gw.adminUrl], log: silentLogger(), timeoutMs: 5000, token: TOKEN });
    await pusher.push(next as never, 'h2');
    assert.notEqual(((await (await call('GET', '/status')).json()) as { configuration_hash: string }).configuration_hash, before.configuration_hash);
  });
});
