import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { Snapshot } from '../../src/controlplane/snapshot.js';
import { IncrementalTranslator, translate } from '../../src/controlplane/translator/index.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject, type TranslateOptions } from '../../src/controlplane/types.js';
import { validateConfig } from '../../src/config/validate.js';

/**
 * Golden cases: each folder holds input manifests (*.yaml, multi-document), an optional
 * options.json (TranslateOptions overrides), and the expected `config.golden.yaml` and
 * `status.golden.yaml`. `UPDATE_GOLDEN=1` rewrites the expectations; review the diff by eye.
 */
const ROOT = dirname(fileURLToPath(import.meta.url));
const FIXED_TIME = '2026-01-01T00:00:00Z';
const EXPECTED = new Set(['config.golden.yaml', 'status.golden.yaml']);
const update = process.env.UPDATE_GOLDEN === '1';

function loadObjects(dir: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !EXPECTED.has(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const value = doc.toJS();
      if (value !== null && value !== undefined) objects.push(value as KubeObject);
    }
  }
  return objects;
}

function loadOptions(dir: string): TranslateOptions {
  const file = join(dir, 'options.json');
  const extra = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<TranslateOptions>) : {};
  return { ...DEFAULT_TRANSLATE_OPTIONS, ...extra };
}

/** normalize zeroes transition times that came from the input objects' previous status. */
function normalize(text: string): string {
  return text.replace(/lastTransitionTime: .*/g, 'lastTransitionTime: <normalized>');
}

function check(dir: string, file: string, actual: string): void {
  const path = join(dir, file);
  if (update || !existsSync(path)) {
    writeFileSync(path, actual);
    if (!update) assert.fail(`${path} did not exist; written, review it and re-run`);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${path} differs (UPDATE_GOLDEN=1 to rewrite)`);
}

const cases = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

for (const name of cases) {
  test(`golden ${name}`, () => {
    const dir = join(ROOT, name);
    const opts = loadOptions(dir);
    const snapshot = Snapshot.from(loadObjects(dir));
    const result = translate(snapshot, opts, () => FIXED_TIME);
    // What the translator emits must be a config the gateway accepts.
    const valid = validateConfig(result.config);
    assert.ok(valid.ok, `config rejected by validateConfig: ${valid.ok ? '' : JSON.stringify(valid.flat)}`);
    check(dir, 'config.golden.yaml', stringify(result.config, { lineWidth: 0, aliasDuplicateObjects: false }));
    check(dir, 'status.golden.yaml', normalize(stringify({ statuses: result.statuses, events: result.events }, { lineWidth: 0, aliasDuplicateObjects: false })));
    // The incremental translator must agree with a fresh translation, first and second time.
    const inc = new IncrementalTranslator(opts, () => FIXED_TIME);
    inc.update(snapshot);
    assert.deepEqual(inc.update(Snapshot.from(snapshot.all())), result);
  });
}
