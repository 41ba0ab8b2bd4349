// End-to-end: service `backend_plugins` (HTTPRoute backendRef filters that differ per backend)
// apply for the target picked on each try only: a retry that moves to another backend sends that
// backend's headers, never a mix of both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort, startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { request } from '../helpers/http.js';

describe('backend_plugins', () => {
  let echo: Backend;
  let gw: GatewayProcess;

  before(async () => {
    echo = await startBackend({ name: 'b', host: '127.0.8.21' });
    const refused = await closedPort('127.0.8.22');
    const transformer = (value: string) => [{ name: 'request-transformer', config: { replace: { headers: [`Backend:${value}`] }, add: { headers: [`Backend:${value}`] }, append: { headers: [`X-Trail:${value}`] } } }];
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{
          name: 's', host: 'up', retries: 2,
          routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'request-transformer', config: { add: { headers: ['X-Route:1'] } } }] }],
          backend_plugins: { a: transformer('a'), b: [...transformer('b'), { name: 'response-transformer', config: { add: { headers: ['X-Picked:b'] } } }] },
        }],
        upstreams: [{
          name: 'up',
          targets: [
            { target: `127.0.8.22:${refused}`, tags: ['berth.backend=a'] },
            { target: echo.address, tags: ['berth.backend=b'] },
          ],
        }],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await echo?.close();
  });

  test('each try carries only its own backend\'s headers, on top of the route\'s', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await request(`${gw.proxyUrl}/x`, { headers: { Backend: 'client' } });
      assert.equal(r.status, 200);
      const seen = JSON.parse(r.body) as { headers: Record<string, string> };
      assert.equal(seen.headers.backend, 'b');
      assert.equal(seen.headers['x-trail'], 'b', 'a retry must not keep the first backend\'s edits');
      assert.equal(seen.headers['x-route'], '1');
      assert.equal(r.headers['x-picked'], 'b');
    }
  });

  test('an invalid backend plugin is refused with the field named', async () => {
    const res = await request(`${gw.adminUrl}/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ _format_version: '3.0', services: [{ name: 's', host: 'h', backend_plugins: { a: [{ name: 'redirect', config: { location: 'http://x' } }] } }] }),
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /only request-transformer, response-transformer may apply to a backend/);
  });
});
