import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// `kubectl get kongupstreampolicies` columns (issue 11, point 6). The JSONPaths are evaluated here
// with the subset of kubectl's JSONPath they use (fields, [*], [?(@.f=="v")]) against a policy as
// berth writes its status, so a typo in a path shows up as an empty column in this test.

const crd = parse(readFileSync(new URL('../deploy/crds/configuration.konghq.com_kongupstreampolicies.yaml', import.meta.url), 'utf8'));

/** evaluate: kubectl prints a column's values joined by ','; none = "<none>". */
function evaluate(path: string, obj: unknown): string {
  let values: unknown[] = [obj];
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\*\]|\[\?\(@\.[A-Za-z]+=="[^"]*"\)\]/g) ?? []) {
    if (step === '[*]') values = values.flatMap((v) => (Array.isArray(v) ? v : []));
    else if (step.startsWith('[?')) {
      const [, field, want] = /@\.([A-Za-z]+)=="([^"]*)"/.exec(step)!;
      values = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v: any) => v?.[field!] === want);
    } else values = values.map((v: any) => v?.[step.slice(1)]).filter((v) => v !== undefined);
  }
  return values.length === 0 ? '<none>' : values.map(String).join(',');
}

test('KongUpstreamPolicy has printer columns: algorithm, cookie, Accepted (and Age)', () => {
  const columns = crd.spec.versions[0].additionalPrinterColumns as Array<{ name: string; type: string; jsonPath: string }>;
  assert.deepEqual(columns.map((c) => c.name), ['Algorithm', 'Cookie', 'Accepted', 'Age']);
  const policy = {
    metadata: { creationTimestamp: '2026-11-30T09:00:00Z' },
    spec: { algorithm: 'sticky-sessions', stickySessions: { cookie: 'session-id', cookiePath: '/' } },
    status: { ancestors: [
      { ancestorRef: { kind: 'Service', name: 'echo' }, conditions: [{ type: 'Programmed', status: 'True' }, { type: 'Accepted', status: 'True' }] },
      { ancestorRef: { kind: 'Service', name: 'other' }, conditions: [{ type: 'Accepted', status: 'False', reason: 'Conflicted' }] },
    ] },
  };
  const row = Object.fromEntries(columns.map((c) => [c.name, evaluate(c.jsonPath, policy)]));
  assert.deepEqual(row, { Algorithm: 'sticky-sessions', Cookie: 'session-id', Accepted: 'True,False', Age: '2026-11-30T09:00:00Z' });
  assert.equal(columns.find((c) => c.name === 'Age')?.type, 'date');
  assert.equal(evaluate(columns[2]!.jsonPath, { spec: { algorithm: 'round-robin' } }), '<none>');
});
