import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { GatewayConfig } from './types.js';
import { validateConfig } from './validate.js';

/** ConfigParseError: the text is not YAML/JSON; the message names the line and column. */
export class ConfigParseError extends Error {
  override readonly name = 'ConfigParseError';
}

/** ConfigLoadError: a config file could not be read, parsed or validated. */
export class ConfigLoadError extends Error {
  override readonly name = 'ConfigLoadError';
}

/** parseConfigText parses YAML or JSON (JSON is YAML 1.2) into plain data. */
export function parseConfigText(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new ConfigParseError(`malformed config${where}: ${first.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigParseError(`malformed config: ${(err as Error).message}`);
  }
}

/** loadConfigFile reads, parses and validates a config file; the error lists every field error. */
export function loadConfigFile(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigLoadError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseConfigText(text);
  } catch (err) {
    throw new ConfigLoadError(`${path}: ${(err as Error).message}`);
  }
  const result = validateConfig(data);
  if (result.ok) return result.config;
  const lines = [`${path}: invalid declarative configuration:`];
  for (const entity of result.flat) {
    const label = entity.entity_name ? `${entity.entity_type} "${entity.entity_name}"` : entity.entity_type;
    for (const e of entity.errors) lines.push(`  ${label}: ${e.field ? `${e.field}: ` : ''}${e.message}`);
  }
  throw new ConfigLoadError(lines.join('\n'));
}
