import { InvalidArgumentError, Option } from 'commander';

/**
 * Boolean flags accept `--flag`, `--flag=true` and `--flag=false` (KIC writes
 * `--enable-drain-support=true`), plus the same words from an environment variable.
 */
export function parseBool(value: string | boolean | undefined): boolean {
  if (value === undefined || value === true) return true;
  if (value === false) return false;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === '') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

/** `--name [bool]` with an environment variable fallback and a default. */
export function boolOption(flag: string, description: string, env: string, defaultValue: boolean): Option {
  return new Option(`${flag} [bool]`, description)
    .env(env)
    .argParser((v: string | undefined) => parseBool(v))
    .preset(true)
    .default(defaultValue);
}

/** `--name <value>` with an environment variable fallback. */
export function valueOption(flag: string, description: string, env: string, defaultValue?: string): Option {
  const option = new Option(`${flag} <value>`, description).env(env);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** A repeatable or comma-separated list flag (`--watch-namespace a,b --watch-namespace c`). */
export function listOption(flag: string, description: string, env: string): Option {
  return new Option(`${flag} <values>`, description)
    .env(env)
    .argParser((v: string, previous: string[] | undefined) => [
      ...(previous ?? []),
      ...v.split(',').map((s) => s.trim()).filter(Boolean),
    ]);
}

/** Splits "host:port" / "[v6]:port" / ":port" listen addresses. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected host:port, got "${value}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
