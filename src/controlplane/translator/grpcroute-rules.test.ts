import { test } from 'node:test';
import assert from 'node:assert/strict';
import { methodPaths } from './grpcroute-rules.js';

/** matches: does a Kong path list (prefix, or `~regex` anchored at the start) accept `path`? */
function matches(paths: string[], path: string): boolean {
  return paths.some((p) => (p.startsWith('~') ? new RegExp(`^(?:${p.slice(1)})`).test(path) : path.startsWith(p)));
}

test('GRPCMethodMatch: Exact service+method, service only, method only, none', () => {
  const both = methodPaths({ service: 'pkg.Svc', method: 'Get' });
  assert.ok(typeof both !== 'string' && both.exact);
  const cases: Array<[unknown, string, boolean]> = [
    [{ service: 'pkg.Svc', method: 'Get' }, '/pkg.Svc/Get', true],
    [{ service: 'pkg.Svc', method: 'Get' }, '/pkg.Svc/GetMore', false],
    [{ service: 'pkg.Svc', method: 'Get' }, '/pkgXSvc/Get', false],
    [{ service: 'pkg.Svc' }, '/pkg.Svc/Anything', true],
    [{ service: 'pkg.Svc' }, '/pkg.Svc2/Anything', false],
    [{ method: 'Health' }, '/any.Service/Health', true],
    [{ method: 'Health' }, '/any.Service/HealthCheck', false],
    [undefined, '/x.Y/Z', true],
    [{ type: 'RegularExpression', service: 'pkg\\.v[0-9]+\\.Api', method: 'Get.*' }, '/pkg.v2.Api/GetUser', true],
    [{ type: 'RegularExpression', service: 'pkg\\.v[0-9]+\\.Api', method: 'Get.*' }, '/pkg.v2.Api/ListUsers', false],
    [{ type: 'RegularExpression', method: 'List.*' }, '/a.B/ListAll', true],
  ];
  for (const [method, path, expected] of cases) {
    const r = methodPaths(method);
    assert.ok(typeof r !== 'string', JSON.stringify(method));
    assert.equal(matches(r.paths, path), expected, `${JSON.stringify(method)} on ${path}`);
  }
});

test('GRPCMethodMatch: invalid names and patterns are reported, not translated', () => {
  for (const bad of [{}, { service: 'bad/name' }, { method: 'a.b' }, { type: 'RegularExpression', method: '(' }, { type: 'Prefix', service: 'x' }]) {
    assert.equal(typeof methodPaths(bad), 'string', JSON.stringify(bad));
  }
});
