import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ManifestParseError, parseManifestText } from './manifests.js';

describe('parseManifestText', () => {
  it('never throws anything but ManifestParseError, and keeps only well-formed objects', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(fc.constantFrom('apiVersion: v1\n', 'kind: Service\n', 'metadata:\n', '  name: x\n', '---\n', '- a\n',
        '[', '{', ': :\n', '  namespace: 7\n', '&a [*a]\n', '"\n', '\t\n', 'items: []\n', 'kind: List\n'), { maxLength: 12 })
        .map((parts) => parts.join('')),
      fc.anything().map((v) => stringify(v) ?? ''),
    );
    fc.assert(fc.property(text, (t) => {
      try {
        const parsed = parseManifestText('f.yaml', t);
        for (const o of parsed.objects) {
          assert.equal(typeof o.apiVersion, 'string');
          assert.equal(typeof o.kind, 'string');
          assert.equal(typeof o.metadata.name, 'string');
          assert.ok(o.metadata.uid && o.metadata.resourceVersion);
        }
      } catch (err) {
        assert.ok(err instanceof ManifestParseError, String(err));
        assert.match(err.message, /^f\.yaml/);
      }
    }), { numRuns: 500 });
  });

  it('gives the same uid and resourceVersion whatever the key order; a content change moves only the version', () => {
    const a = parseManifestText('a', 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: kong}\nspec: {ports: [{port: 1, name: http}]}\n');
    const b = parseManifestText('b', '{"spec": {"ports": [{"name": "http", "port": 1}]}, "metadata": {"namespace": "kong", "name": "s"}, "kind": "Service", "apiVersion": "v1"}');
    const c = parseManifestText('c', 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: kong}\nspec: {ports: [{port: 2, name: http}]}\n');
    assert.equal(a.objects[0]!.metadata.uid, b.objects[0]!.metadata.uid);
    assert.equal(a.objects[0]!.metadata.resourceVersion, b.objects[0]!.metadata.resourceVersion);
    assert.equal(a.objects[0]!.metadata.uid, c.objects[0]!.metadata.uid);
    assert.notEqual(a.objects[0]!.metadata.resourceVersion, c.objects[0]!.metadata.resourceVersion);
  });

  it('keeps a given uid, replaces a stale resourceVersion, and refuses alias bombs', () => {
    const [o] = parseManifestText('a', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, uid: given, resourceVersion: "1"}\n').objects;
    assert.equal(o!.metadata.uid, 'given');
    assert.notEqual(o!.metadata.resourceVersion, '1');
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    assert.throws(() => parseManifestText('bomb.yaml', bomb), (err: Error) => err instanceof ManifestParseError && /^bomb\.yaml: .*alias/i.test(err.message));
  });
});
