// POST /config at scale and under attack (issue 11, point 3): JSON is parsed as JSON; parsing and
// validation run in a worker thread so proxying goes on; the same bytes again cost nothing; size
// and depth limits answer 413/400 and leave the running config serving. Needs `npm run build`.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { largeConfig } from '../helpers/large-config.js';

describe('POST /config limits and off-loop parsing', { timeout: 120_000 }, () => {
  let backend: Backend;
  let gw: GatewayProcess;
  const small = () => ({ _format_version: '3.0', services: [{ name: 's', url: `http://${backend.address}`, routes: [{ name: 'r', paths: ['/'] }] }] });
  const post = async (body: string, contentType = 'application/json') => {
    const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const liveHash = async () => ((await (await fetch(`${gw.adminUrl}/status`)).json()) as any).configuration_hash as string;
  const proxied = async () => (await fetch(`${gw.proxyUrl}/`)).status;

  before(async () => {
    backend = await startBackend({ name: 'b', host: '127.0.0.61' });
    gw = await spawnGateway({ config: small() });
  });
  after(async () => {
    await gw?.stop();
    await backend?.close();
  });

  it('parses JSON as JSON: a trailing comma YAML would accept is a JSON syntax error', async () => {
    const hash = await liveHash();
    const res = await post('{"_format_version": "3.0", "services": [],}');
    assert.equal(res.status, 400);
    assert.match(res.body.message, /^failed parsing declarative configuration: malformed config at line 1, column \d+: /);
    assert.equal(await liveHash(), hash);
    assert.equal(await proxied(), 200);
  });

  it('refuses bodies over the size limit with 413, declared or streamed; the running config stays', async () => {
    const hash = await liveHash();
    const declared = await rawPost(gw.adminUrl, { 'content-type': 'application/json', 'content-length': String(40 * 1024 * 1024) }, ['{"_format_version":']);
    assert.equal(declared, 413);
    const chunk = `[${'1,'.repeat(512 * 1024)}1]`;
    const streamed = await rawPost(gw.adminUrl, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      Array.from({ length: 40 }, () => chunk));
    assert.equal(streamed, 413);
    assert.equal(await liveHash(), hash);
    assert.equal(await proxied(), 200);
  });

  it('refuses absurd nesting and YAML alias bombs with 400; the gateway keeps serving', async () => {
    const hash = await liveHash();
    const deep = `{"_format_version":"3.0","services":[{"name":"s","url":"http://x","tags":${'['.repeat(100)}${']'.repeat(100)}}]}`;
    const nested = await post(deep);
    assert.equal(nested.status, 400);
    assert.match(nested.body.message, /nested too deeply/);
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const started = Date.now();
    const exploded = await post(bomb, 'application/yaml');
    assert.ok(exploded.status === 400 || exploded.status === 413, `status ${exploded.status}`);
    assert.ok(Date.now() - started < 30_000);
    assert.equal(await liveHash(), hash);
    assert.equal(await proxied(), 200);
  });

  it('the same bytes again, or the same config reformatted, is unchanged', async () => {
    const body = JSON.stringify(largeConfig(200, backend.address));
    const first = await post(body);
    assert.equal(first.status, 201);
    assert.equal(first.body.changed, true);
    const again = await post(body);
    assert.deepEqual(again, { status: 201, body: { configuration_hash: first.body.configuration_hash, changed: false } });
    const yaml = await post(stringify(JSON.parse(body)), 'application/yaml');
    assert.deepEqual(yaml.body, { configuration_hash: first.body.configuration_hash, changed: false });
  });

  it('keeps proxying while a large config is parsed and validated', async () => {
    const body = JSON.stringify(largeConfig(3000, backend.address, 'x'));
    let served = 0;
    let pushing = true;
    const push = post(body).finally(() => (pushing = false));
    const started = Date.now();
    while (pushing && Date.now() - started < 60_000) {
      if ((await fetch(`${gw.proxyUrl}/`)).status === 200 && pushing) served++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await push;
    assert.equal(res.status, 201);
    assert.ok(served >= 20, `only ${served} requests served during a ${Date.now() - started} ms push`);
  });
});

/** rawPost sends headers and chunks as given (no client-side framing help) and resolves with the status. */
function rawPost(base: string, headers: Record<string, string>, chunks: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/config`, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    const write = (i: number): void => {
      if (i >= chunks.length) return void req.end();
      if (req.destroyed) return;
      if (req.write(chunks[i]!)) write(i + 1);
      else req.once('drain', () => write(i + 1));
    };
    write(0);
  });
}
