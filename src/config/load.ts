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

/**
 * parseConfigText parses JSON with JSON.parse (tens of times faster than a YAML parser on the same
 * text) and anything else as YAML; either way the result is at most MAX_VALUE_DEPTH deep.
 */
export function parseConfigText(text: string): unknown {
  const value = looksLikeJson(text) ? parseJson(text) : parseYaml(text);
  checkDepth(value);
  return value;
}

/** looksLikeJson: a declarative config in JSON is an object; YAML documents do not start with '{' in practice. */
function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text);
  return first !== null && first[0] === '{';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    throw new ConfigParseError(`malformed config${at ? where(text, Number(at[1])) : ''}: ${message.replace(/ in JSON at position \d+.*$/s, '')}`);
  }
}

/** MAX_VALUE_DEPTH: a real config nests about 8 levels (service > route > plugin > config > ...). */
export const MAX_VALUE_DEPTH = 32;

/** checkDepth walks the parsed value without recursion and rejects anything nested deeper than MAX_VALUE_DEPTH. */
function checkDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_VALUE_DEPTH) throw new ConfigParseError(`malformed config: nested too deeply (more than ${MAX_VALUE_DEPTH} levels)`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

function parseYaml(text: string): unknown {
  // prettyErrors stays off: its context excerpt runs a regex over the offending line, which
  // runs out of memory on a hostile single-line document; the position is computed below.
  checkNesting(text);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    throw new ConfigParseError(`malformed config: ${(err as Error).message}`);
  }
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new ConfigParseError(`malformed config${where(text, first.pos[0])}: ${first.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigParseError(`malformed config: ${(err as Error).message}`);
  }
}

/** MAX_FLOW_DEPTH / MAX_DEPTH: far beyond any real config, far below where the parser's recursion fails. */
const MAX_FLOW_DEPTH = 64;
const MAX_DEPTH = 200;

/**
 * checkNesting rejects absurdly nested text before the YAML parser sees it: near the stack limit
 * V8 can die compiling one of the parser's regexes ("RegExpCompiler Allocation failed"), a fatal
 * error no try/catch can stop. Flow depth counts `[`/`{` outside quotes; block depth is estimated
 * from a line's indentation plus its leading `- ` / `? ` indicators.
 */
function checkNesting(text: string): void {
  let flow = 0;
  let quote = '';
  let lineStart = true;
  let block = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (lineStart) {
      block = 0;
      while (text[i + block] === ' ' || ((text[i + block] === '-' || text[i + block] === '?') && text[i + block + 1] === ' ')) block++;
      lineStart = false;
    }
    if (ch === '\n') lineStart = true;
    if (quote !== '') {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if ((ch === '"' || ch === "'") && opensScalar(text, i)) quote = ch;
    else if (ch === '#' && opensScalar(text, i)) i = endOfLine(text, i);
    else if (ch === '[' || ch === '{') flow++;
    else if (ch === ']' || ch === '}') flow--;
    if (flow > MAX_FLOW_DEPTH || flow + block > MAX_DEPTH) {
      throw new ConfigParseError(`malformed config${where(text, i)}: nested too deeply`);
    }
  }
}

/** opensScalar: a quote or '#' only counts at the start of a token, not inside a word (Bob's). */
function opensScalar(text: string, i: number): boolean {
  return i === 0 || ' \t\n\r[{,:'.includes(text[i - 1]!);
}

/** endOfLine: the index just before the next newline, so the scan resumes at the newline. */
function endOfLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl - 1;
}

function where(text: string, offset: number): string {
  if (!(offset >= 0)) return '';
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return ` at line ${line}, column ${offset - start + 1}`;
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
