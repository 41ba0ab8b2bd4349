// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 cannot glob .ts itself).
// Usage: node test/run-tests.mjs [substring filter...]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['src', 'test'];
const filters = process.argv.slice(2);
const files = [];
for (const root of roots) {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.test.ts')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    if (filters.length === 0 || filters.some((f) => file.includes(f))) files.push(file);
  }
}
files.sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The tests' scratch files (mkdtemp under os.tmpdir(): configs, logs, manifests) go to one
// directory per run, removed at its end, rather than piling up in /tmp run after run.
const scratch = mkdtempSync(join(tmpdir(), 'berth-tests-'));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--import', './test/setup/property-seed.mjs', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } },
);
rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);
