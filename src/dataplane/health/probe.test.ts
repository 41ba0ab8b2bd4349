import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe } from './probe.js';
import { healthSettings } from './settings.js';

let server: https.Server;
let port = 0;
const snis: Array<string | false | null> = [];

function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=probe.test', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

before(async () => {
  server = https.createServer(selfSigned(), (req, res) => {
    snis.push((req.socket as TLSSocket).servername);
    res.writeHead(req.url === '/down' ? 503 : 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function active(extra: Record<string, unknown>): ReturnType<typeof healthSettings>['active'] {
  return healthSettings({ name: 'u', healthchecks: { active: { type: 'https', timeout: 2, ...extra } } }).active;
}

test('https probes: certificate verification is on by default', async () => {
  assert.equal(await probe('127.0.0.1', port, active({})), 'tcp_failure');
});

test('https probes: verification off, SNI sent, status returned', async () => {
  const s = active({ https_verify_certificate: false, https_sni: 'probe.test', http_path: '/down' });
  assert.equal(await probe('127.0.0.1', port, s), 503);
  assert.equal(snis.at(-1), 'probe.test');
});

test('probes never reject: invalid header values and ports count as failures', async () => {
  const s = healthSettings({ name: 'u', healthchecks: { active: { headers: { 'x-bad': ['a\r\nb'] } } } }).active;
  assert.equal(await probe('127.0.0.1', port, s), 'tcp_failure');
  const tcp = healthSettings({ name: 'u', healthchecks: { active: { type: 'tcp' } } }).active;
  assert.equal(await probe('127.0.0.1', 70000, tcp), 'tcp_failure');
});

test('settings: Kong defaults and the on/off rule', () => {
  const d = healthSettings({ name: 'u' });
  assert.equal(d.enabled, false);
  assert.equal(d.active.type, 'http');
  assert.equal(d.active.timeoutMs, 1000);
  assert.equal(d.active.concurrency, 10);
  assert.deepEqual([...d.active.healthyStatuses], [200, 302]);
  assert.deepEqual([...d.passive.unhealthyStatuses], [429, 500, 503]);
  assert.ok(d.passive.healthyStatuses.has(226) && d.passive.healthyStatuses.has(308) && !d.passive.healthyStatuses.has(209));
  assert.equal(healthSettings({ name: 'u', healthchecks: { active: { healthy: { interval: 5 } } } }).enabled, true);
  assert.equal(healthSettings({ name: 'u', healthchecks: { passive: { unhealthy: { timeouts: 1 } } } }).enabled, true);
  assert.equal(healthSettings({ name: 'u', healthchecks: { passive: { healthy: { successes: 3 } } } }).enabled, false);
  assert.equal(healthSettings({ name: 'u', healthchecks: { active: { timeout: -1, concurrency: Number.NaN } } }).active.timeoutMs, 1000);
});
