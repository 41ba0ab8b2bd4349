// h2spec's server cases (test/e2e/h2spec-cases.ts, ported from github:summerwind/h2spec) against an
// in-process berth on its own HTTP/2 engine, h2c with prior knowledge on the plain port. After the
// cases, a fresh connection must still be answered: no case may cost more than its connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { answers } from '../helpers/h2-raw.js';
import { startGateway } from '../helpers/inprocess.js';
import { H2SPEC_CASES } from './h2spec-cases.js';

let backend: Backend;
let gateway: Gateway;
let port = 0;

describe('h2spec on berth\'s HTTP/2 engine', () => {
  before(async () => {
    backend = await startBackend({ name: 'h2spec', host: '127.0.0.1' });
    gateway = await startGateway({
      _format_version: '3.0',
      services: [{ name: 'web', url: `http://${backend.address}`, routes: [{ name: 'web', paths: ['/'] }] }],
    }, { http2Engine: 'berth' });
    port = gateway.proxyAddress().port;
  });

  after(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  for (const c of H2SPEC_CASES) {
    test(`${c.id}: ${c.desc}`, { timeout: 15_000 }, async () => {
      assert.equal(await c.run(port), null);
    });
  }

  test('the proxy still answers a fresh connection after every case', async () => {
    assert.equal(await answers(port), null);
  });
});
