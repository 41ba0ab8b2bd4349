import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { addProxyFlags, proxyOptionsFrom, type ProxyFlagValues } from './proxy-flags.js';

/** parse runs the flags through commander as `berth gateway` would, with env overrides for the call. */
function parse(args: string[], env: Record<string, string> = {}): ProxyFlagValues {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const cmd = addProxyFlags(new Command('gateway').exitOverride().configureOutput({ writeErr: () => {} }));
    cmd.parse(args, { from: 'user' });
    return cmd.opts<ProxyFlagValues>();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('--http2-engine', () => {
  it('defaults to berth, takes node from the flag or BERTH_HTTP2_ENGINE; the flag wins', () => {
    assert.equal(proxyOptionsFrom(parse([])).http2Engine, 'berth');
    assert.equal(proxyOptionsFrom(parse(['--http2-engine', 'node'])).http2Engine, 'node');
    assert.equal(proxyOptionsFrom(parse([], { BERTH_HTTP2_ENGINE: 'node' })).http2Engine, 'node');
    assert.equal(proxyOptionsFrom(parse(['--http2-engine', 'berth'], { BERTH_HTTP2_ENGINE: 'node' })).http2Engine, 'berth');
  });

  it('refuses an engine it does not have', () => {
    assert.throws(() => parse(['--http2-engine', 'nghttp2']), /invalid/i);
    assert.throws(() => parse([], { BERTH_HTTP2_ENGINE: 'h2o' }), /invalid/i);
  });
});
