// HTTPRoute RequestHeaderModifier (Core) and ResponseHeaderModifier (Extended) cases, ported from
// kubernetes-sigs/gateway-api conformance/tests/httproute-request-header-modifier.go (+ .yaml) and
// httproute-response-header-modifier.go (+ .yaml). Header values repeated on several lines are
// compared joined with "," as the suite's conformance/utils/http/http.go does.
import { route, v1, type Case, type Check } from './cases.js';

type Modifier = { set?: Array<[string, string]>; add?: Array<[string, string]>; remove?: string[] };

const pairs = (list: Array<[string, string]>): string => `[${list.map(([name, value]) => `{name: ${name}, value: ${value}}`).join(', ')}]`;
const modifier = (m: Modifier): string =>
  `{${[m.set && `set: ${pairs(m.set)}`, m.add && `add: ${pairs(m.add)}`, m.remove && `remove: [${m.remove.join(', ')}]`].filter(Boolean).join(', ')}}`;
const filter = (kind: 'RequestHeaderModifier' | 'ResponseHeaderModifier', m: Modifier): string =>
  `{type: ${kind}, ${kind === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier'}: ${modifier(m)}}`;
const rule = (path: string, filters: string[]): string =>
  `- matches: [{path: {type: PathPrefix, value: ${path}}}]\n  filters: [${filters.join(', ')}]\n  backendRefs: [{name: ${v1}, port: 8080}]`;
const routeOf = (name: string, rules: string[]): string => route(name, `parentRefs: [{name: same-namespace}]\nrules:\n${rules.join('\n')}`);

const MULTIPLE: Modifier = {
  set: [['X-Header-Set-1', 'header-set-1'], ['X-Header-Set-2', 'header-set-2']],
  add: [['X-Header-Add-1', 'header-add-1'], ['X-Header-Add-2', 'header-add-2'], ['X-Header-Add-3', 'header-add-3']],
  remove: ['X-Header-Remove-1', 'X-Header-Remove-2'],
};

function requestCases(kind: 'RequestHeaderModifier' | 'ResponseHeaderModifier'): string[] {
  return [
    rule('/set', [filter(kind, { set: [['X-Header-Set', 'set-overwrites-values']] })]),
    rule('/add', [filter(kind, { add: [['X-Header-Add', 'add-appends-values']] })]),
    rule('/remove', [filter(kind, { remove: ['X-Header-Remove'] })]),
  ];
}

const upstream = (path: string, headers: Record<string, string | null>): Check['upstream'] => ({ path, headers });
const reqCheck = (path: string, headers: Record<string, string>, want: Record<string, string | null>): Check =>
  ({ path, headers, backend: v1, upstream: upstream(path, want) });
const resCheck = (path: string, backendSets: Record<string, string>, want: Record<string, string | null>): Check =>
  ({ path, backendSets, backend: v1, responseHeaders: want });

export const HEADER_MODIFIER_CASES: Case[] = [
  {
    name: 'HTTPRouteRequestHeaderModifier', source: 'httproute-request-header-modifier.go', support: 'Core',
    manifests: routeOf('request-header-modifier', [
      ...requestCases('RequestHeaderModifier'),
      rule('/multiple', [filter('RequestHeaderModifier', MULTIPLE)]),
      rule('/case-insensitivity', [filter('RequestHeaderModifier', { set: [['X-Header-Set', 'header-set']], add: [['X-Header-Add', 'header-add']], remove: ['X-Header-Remove'] })]),
    ]),
    checks: [
      reqCheck('/set', { 'Some-Other-Header': 'val' }, { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' }),
      reqCheck('/set', { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' }, { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' }),
      reqCheck('/add', { 'Some-Other-Header': 'val' }, { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' }),
      reqCheck('/add', { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' }, { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' }),
      reqCheck('/remove', { 'X-Header-Remove': 'val' }, { 'X-Header-Remove': null }),
      reqCheck('/multiple', { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val' }, {
        'X-Header-Set-1': 'header-set-1', 'X-Header-Set-2': 'header-set-2', 'X-Header-Add-1': 'header-add-1', 'X-Header-Add-2': 'add-val-2,header-add-2',
        'X-Header-Add-3': 'header-add-3', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': null, 'X-Header-Remove-2': null,
      }),
      // The filter names are canonical, the request's lowercase.
      reqCheck('/case-insensitivity', { 'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val' },
        { 'X-Header-Set': 'header-set', 'X-Header-Add': 'original-val-add,header-add', 'Another-Header': 'another-header-val', 'X-Header-Remove': null }),
    ],
  },
  {
    name: 'HTTPRouteResponseHeaderModifier', source: 'httproute-response-header-modifier.go', support: 'Extended',
    manifests: routeOf('response-header-modifier', [
      ...requestCases('ResponseHeaderModifier'),
      rule('/multiple', [filter('ResponseHeaderModifier', MULTIPLE)]),
      rule('/case-insensitivity', [filter('ResponseHeaderModifier', {
        set: [['X-Header-Set', 'header-set']],
        add: [['X-Header-Add', 'header-add'], ['x-lowercase-add', 'lowercase-add'], ['x-Mixedcase-ADD-1', 'mixedcase-add-1'], ['X-mixeDcase-add-2', 'mixedcase-add-2'], ['X-UPPERCASE-ADD', 'uppercase-add']],
        remove: ['X-Header-Remove'],
      })]),
      rule('/response-and-request-header-modifiers', [
        filter('ResponseHeaderModifier', { set: MULTIPLE.set, add: MULTIPLE.add!.slice(0, 2), remove: MULTIPLE.remove }),
        filter('RequestHeaderModifier', { set: [['X-Header-Set', 'set-overwrites-values']], add: [['X-Header-Add', 'header-val-1'], ['X-Header-Add-Append', 'header-val-2']], remove: ['X-Header-Remove'] }),
      ]),
    ]),
    checks: [
      resCheck('/set', { 'Some-Other-Header': 'val' }, { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' }),
      resCheck('/set', { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' }, { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' }),
      resCheck('/add', { 'Some-Other-Header': 'val' }, { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' }),
      resCheck('/add', { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' }, { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' }),
      resCheck('/remove', { 'X-Header-Remove': 'val' }, { 'X-Header-Remove': null }),
      resCheck('/multiple', { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': 'val' }, {
        'X-Header-Set-1': 'header-set-1', 'X-Header-Set-2': 'header-set-2', 'X-Header-Add-1': 'header-add-1', 'X-Header-Add-2': 'add-val-2,header-add-2',
        'X-Header-Add-3': 'header-add-3', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': null, 'X-Header-Remove-2': null,
      }),
      resCheck('/case-insensitivity', { 'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val' }, {
        'X-Header-Set': 'header-set', 'X-Header-Add': 'original-val-add,header-add', 'X-Lowercase-Add': 'lowercase-add', 'X-Mixedcase-Add-1': 'mixedcase-add-1',
        'X-Mixedcase-Add-2': 'mixedcase-add-2', 'X-Uppercase-Add': 'uppercase-add', 'Another-Header': 'another-header-val', 'X-Header-Remove': null,
      }),
      {
        path: '/response-and-request-header-modifiers', backend: v1,
        headers: { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1', 'X-Header-Echo': 'echo' },
        backendSets: { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': 'remove-val-1', 'X-Header-Echo': 'echo' },
        upstream: upstream('/response-and-request-header-modifiers', {
          'X-Header-Add': 'header-val-1', 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add-Append': 'append-val-1,header-val-2', 'X-Header-Echo': 'echo', 'X-Header-Remove': null,
        }),
        responseHeaders: {
          'X-Header-Set-1': 'header-set-1', 'X-Header-Set-2': 'header-set-2', 'X-Header-Add-1': 'header-add-1', 'X-Header-Add-2': 'add-val-2,header-add-2',
          'Another-Header': 'another-header-val', 'X-Header-Echo': 'echo', 'X-Header-Remove-1': null, 'X-Header-Remove-2': null,
        },
      },
    ],
  },
];
