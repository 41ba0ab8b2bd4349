import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { addAdminTokenFlags, loadAdminToken } from './admin-token.js';

test('--admin-token / --admin-token-file and their environment variables', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-token-')), 'token');
  writeFileSync(file, 'from-secret\n');
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const cmd = addAdminTokenFlags(new Command(), 'require').exitOverride();
      cmd.parse(argv, { from: 'user' });
      return loadAdminToken(cmd.opts());
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    }
  };
  assert.equal(parse([]), undefined);
  assert.equal(parse(['--admin-token', 'abc']), 'abc');
  assert.equal(parse(['--admin-token-file', file]), 'from-secret');
  assert.equal(parse([], { BERTH_ADMIN_TOKEN: 'env-token' }), 'env-token');
  assert.equal(parse([], { BERTH_ADMIN_TOKEN_FILE: file }), 'from-secret');
  assert.throws(() => parse(['--admin-token', 'a', '--admin-token-file', file]), /not both/);
  assert.throws(() => parse(['--admin-token-file', join(file, 'missing')]), /cannot read --admin-token-file/);
  assert.throws(() => parse(['--admin-token', ' ']), /non-empty/);
});
