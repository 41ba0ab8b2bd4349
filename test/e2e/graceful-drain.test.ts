// Issue 9 finding 5: SIGTERM reset keep-alive clients. Now readiness fails first, the proxy keeps
// answering for --shutdown-delay with `Connection: close`, then stops accepting and finishes what
// is in flight. 8 keep-alive load clients must see no ECONNRESET and no unanswered request.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';

interface ClientReport {
  ok: number;
  closeAnswers: number;
  errors: string[];
}

/** loadClient sends GETs back to back on a keep-alive agent until `stopAt`. */
async function loadClient(url: string, stopAt: () => boolean): Promise<ClientReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const report: ClientReport = { ok: 0, closeAnswers: 0, errors: [] };
  const deadline = Date.now() + 15_000;
  while (!stopAt() && Date.now() < deadline) {
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get(url, { agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) report.ok++;
          if (res.headers.connection === 'close') report.closeAnswers++;
          resolve(res.statusCode === 200 ? 'ok' : `status ${res.statusCode}`);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    if (outcome !== 'ok') report.errors.push(outcome);
  }
  agent.destroy();
  return report;
}

describe('graceful drain on SIGTERM (issue 9 finding 5)', () => {
  let backend: Backend;
  let gw: GatewayProcess;

  before(async () => {
    backend = await startBackend({ name: 'b', host: '127.0.0.71', handler: (_req, res) => void setTimeout(() => res.end('x'), 2) });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{ name: 's', host: 'up', routes: [{ name: 'r', paths: ['/'] }] }],
        upstreams: [{ name: 'up', targets: [{ target: backend.address }] }],
      },
      env: { BERTH_SHUTDOWN_DELAY: '1200' },
    });
  });

  after(async () => {
    await gw?.stop('SIGKILL');
    await backend?.close();
  });

  test('readiness fails first, 8 keep-alive clients get answers with Connection: close, then a clean exit', async () => {
    const ready = (): Promise<number> =>
      new Promise((resolve) => http.get(`${gw.adminUrl}/status/ready`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', () => resolve(0)));
    assert.equal(await ready(), 200);
    // The clients stand for a load balancer's traffic: it stops once endpoints have moved away,
    // which the delay allows for (here: 300 ms before the delay ends).
    let signalledAt = Infinity;
    const movedAway = (): boolean => Date.now() > signalledAt + 900;
    const clients = Array.from({ length: 8 }, () => loadClient(`${gw.proxyUrl}/`, movedAway));
    await new Promise((r) => setTimeout(r, 300));
    signalledAt = Date.now();
    gw.child.kill('SIGTERM');
    // Readiness fails as soon as the signal is handled (polled: the machine may be busy).
    let readiness = 200;
    for (const until = Date.now() + 800; readiness !== 503 && Date.now() < until; ) {
      readiness = await ready();
      if (readiness !== 503) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(readiness, 503, 'readiness fails during the drain');
    const reports = await Promise.all(clients);
    const code = await gw.exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - signalledAt >= 1200, 'the proxy kept answering for the shutdown delay');
    for (const r of reports) {
      assert.deepEqual(r.errors, [], 'no reset, no unanswered request');
      assert.ok(r.ok > 0);
      assert.ok(r.closeAnswers > 0, 'each client was told to close during the drain');
    }
  });
});
