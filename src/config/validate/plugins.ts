import type { PluginConfig } from '../types.js';
import { checkCors, checkMirror } from './plugin-configs.js';
import type { Issues, PathSeg } from './issues.js';
import { Scope, isObj } from './scope.js';

const SUPPORTED = ['request-transformer', 'response-transformer', 'redirect', 'cors', 'request-mirror', 'request-redirect'];
const HEADER_ENTRY = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * validatePlugins checks an entity's `plugins` list. Only the plugins berth implements are
 * accepted; any other name is an error naming it rather than being silently ignored.
 */
export function validatePlugins(issues: Issues, raw: unknown, owner: PathSeg[]): PluginConfig[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    issues.add({ type: 'plugin', name: undefined, path: owner }, ['plugins'], 'expected an array');
    return undefined;
  }
  const out: PluginConfig[] = [];
  raw.forEach((p, i) => {
    const plugin = validatePlugin(issues, p, [...owner, 'plugins', i]);
    if (plugin) out.push(plugin);
  });
  return out;
}

function validatePlugin(issues: Issues, raw: unknown, path: PathSeg[]): PluginConfig | undefined {
  const name = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const s = new Scope(issues, { type: 'plugin', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(['name', 'enabled', 'config', 'protocols', 'instance_name']);
  s.list('protocols');
  s.str('instance_name');
  const pname = s.str('name', true);
  if (pname === undefined) return undefined;
  if (!SUPPORTED.includes(pname)) {
    return void s.err('name', `plugin '${pname}' is not supported (supported: ${SUPPORTED.join(', ')})`);
  }
  s.bool('enabled');
  const config = s.child('config');
  if (pname === 'redirect') {
    if (!config) return void s.err('config', 'required field missing');
    config.str('location', true);
    config.int('status_code', 300, 399);
    config.bool('keep_incoming_path');
    config.unknown(['location', 'status_code', 'keep_incoming_path', 'incoming_path']);
    config.str('incoming_path');
  } else if (pname === 'request-mirror') {
    if (!config) return void s.err('config', 'required field missing');
    checkMirror(config);
  } else if (pname === 'cors') {
    if (config) checkCors(config);
  } else if (pname === 'request-redirect') {
    if (config) checkRequestRedirect(config);
  } else if (config) {
    checkTransformer(config, pname === 'request-transformer');
  }
  return { ...raw, config: raw.config ?? {} } as unknown as PluginConfig;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const ABSOLUTE_PATH = /^\/[^\s?#]*$/;

/** checkRequestRedirect: berth's Gateway API RequestRedirect (config/types.ts RequestRedirectConfig). */
function checkRequestRedirect(config: Scope): void {
  config.unknown(['status_code', 'scheme', 'hostname', 'port', 'replace_full_path', 'replace_prefix_match']);
  const code = config.int('status_code', 300, 399);
  if (code !== undefined && ![301, 302, 303, 307, 308].includes(code)) config.err('status_code', 'expected one of: 301, 302, 303, 307, 308');
  config.oneOf('scheme', ['http', 'https']);
  const host = config.str('hostname');
  if (host !== undefined && !HOSTNAME.test(host)) config.err('hostname', 'invalid hostname');
  config.int('port', 1, 65535);
  const full = config.str('replace_full_path');
  if (full !== undefined && !ABSOLUTE_PATH.test(full)) config.err('replace_full_path', 'expected an absolute path');
  const prefix = config.child('replace_prefix_match');
  if (prefix !== undefined) {
    prefix.unknown(['prefix', 'replacement']);
    for (const k of ['prefix', 'replacement']) {
      const v = prefix.str(k, true);
      if (v !== undefined && !ABSOLUTE_PATH.test(v)) prefix.err(k, 'expected an absolute path');
    }
  }
  if (full !== undefined && prefix !== undefined) config.err(null, 'replace_full_path and replace_prefix_match are exclusive');
}

function checkTransformer(config: Scope, request: boolean): void {
  const sections = ['remove', 'rename', 'replace', 'add', 'append'];
  config.unknown(request ? [...sections, 'replace_prefix', 'http_method'] : sections);
  if (request) config.str('http_method');
  for (const section of sections) {
    const sub = config.child(section);
    if (!sub) continue;
    const lists = ['body', 'querystring', 'json', 'json_types'];
    sub.unknown(request && section === 'replace' ? ['headers', 'uri', ...lists] : ['headers', ...lists]);
    const pattern = section === 'remove' ? HEADER_NAME : HEADER_ENTRY;
    sub.list('headers', (h) => (pattern.test(h) ? undefined : section === 'remove' ? 'invalid header name' : 'expected "Name:value"'));
    for (const key of lists) sub.list(key);
    if (request && section === 'replace') sub.str('uri');
  }
  const rp = request ? config.child('replace_prefix') : undefined;
  if (rp) {
    const prefix = rp.str('prefix', true);
    if (prefix !== undefined && !prefix.startsWith('/')) rp.err('prefix', 'should start with: /');
    const repl = rp.obj.replacement;
    if (typeof repl !== 'string') rp.err('replacement', repl === undefined ? 'required field missing' : 'expected a string');
  }
}
