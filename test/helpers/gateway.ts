// Spawns `node bin/berth.js gateway` (dist/ must be built) and learns its bound ports from its logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'berth.js');

/**
 * testWorkers: the --workers count every spawned berth gets (BERTH_TEST_WORKERS, default 1, so
 * tests do not depend on the machine's CPU count). `*.workers2.test.ts` files re-run a suite with 2.
 */
export function testWorkers(): string {
  return process.env['BERTH_TEST_WORKERS'] ?? '1';
}

/**
 * testHttp2Engine: the --http2-engine every gateway of an h2 suite gets (BERTH_TEST_HTTP2_ENGINE;
 * absent = berth's default, its own HTTP/2). `*.h2node.test.ts` files re-run a suite on node's http2.
 */
export function testHttp2Engine(): 'node' | 'berth' | undefined {
  const engine = process.env['BERTH_TEST_HTTP2_ENGINE'];
  return engine === 'node' || engine === 'berth' ? engine : undefined;
}

/** Spawned gateways get the suite's HTTP/2 engine too. */
function engineEnv(): NodeJS.ProcessEnv {
  const engine = testHttp2Engine();
  return engine === undefined ? {} : { BERTH_HTTP2_ENGINE: engine };
}

export interface Address {
  host: string;
  port: number;
}

/** GatewayProcess: a running gateway; `output()` is everything it logged so far. */
export interface GatewayProcess {
  child: ChildProcess;
  proxy: Address;
  admin: Address;
  tls: Address | null;
  /** http://host:port of the proxy and the admin API. */
  proxyUrl: string;
  adminUrl: string;
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Sends SIGTERM (or `signal`) and waits for the exit, killing it after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  /** A config object (written as JSON) or YAML text; omitted = start without --config. */
  config?: unknown;
  tls?: boolean;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

/** writeConfig writes a config (object as JSON, string as is) to a temp file. */
export async function writeConfig(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-gw-'));
  const file = join(dir, typeof config === 'string' ? 'config.yaml' : 'config.json');
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

/** spawnGateway starts the gateway on 127.0.0.1:0 and waits until it logged its listeners. */
export async function spawnGateway(opts: SpawnOptions = {}): Promise<GatewayProcess> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const args = [BIN, 'gateway', '--proxy-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'];
  if (opts.tls) args.push('--proxy-listen-tls', '127.0.0.1:0');
  if (opts.config !== undefined) args.push('--config', await writeConfig(opts.config));
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // No SIGTERM grace delay unless a test asks for one (see --shutdown-delay).
    env: { ...process.env, BERTH_SESSION_SECRET: 'test-secret-0123456789abcdef', BERTH_WORKERS: testWorkers(), BERTH_SHUTDOWN_DELAY: '0', ...engineEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  // A test file that dies must not leave a gateway behind.
  const reap = (): void => void child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<number | string>((res) =>
    child.once('exit', (code, signal) => {
      process.off('exit', reap);
      res(code ?? signal ?? -1);
    }),
  );
  // A --workers group starts N + 1 processes; on a loaded 2-core machine that takes a while.
  const startTimeoutMs = opts.startTimeoutMs ?? (testWorkers() === '1' ? 15_000 : 45_000);
  let addrs: Awaited<ReturnType<typeof waitForListeners>>;
  try {
    addrs = await waitForListeners(() => out, exited, opts.tls === true, startTimeoutMs);
  } catch (err) {
    // A gateway that did not start must not outlive the test (its pipes keep the runner waiting).
    child.kill('SIGKILL');
    throw err;
  }
  const gw: GatewayProcess = {
    child,
    ...addrs,
    proxyUrl: `http://${addrs.proxy.host}:${addrs.proxy.port}`,
    adminUrl: `http://${addrs.admin.host}:${addrs.admin.port}`,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM', timeoutMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return gw;
}

async function waitForListeners(
  output: () => string,
  exited: Promise<number | string>,
  tls: boolean,
  timeoutMs: number,
): Promise<{ proxy: Address; admin: Address; tls: Address | null }> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !done) {
    const proxy = logged(output(), 'proxy listening');
    const admin = logged(output(), 'admin listening');
    const secure = tls ? logged(output(), 'proxy TLS listening') : null;
    if (proxy && admin && (!tls || secure)) return { proxy, admin, tls: secure };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gateway did not start (${done ? 'it exited' : 'timeout'}):\n${output()}`);
}

function logged(output: string, msg: string): Address | null {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; address?: string; port?: number };
      if (entry.msg === msg && entry.address && entry.port) return { host: entry.address, port: entry.port };
    } catch {
      // not a log line
    }
  }
  return null;
}

/** runGateway runs the gateway command to completion (for start-up failures) and returns code + output. */
export function runGateway(args: string[], timeoutMs = 15_000): Promise<{ code: number | string; output: string }> {
  const env = { ...process.env, BERTH_WORKERS: testWorkers(), ...engineEnv() };
  const child = spawn(process.execPath, [BIN, 'gateway', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((res) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      res({ code: code ?? signal ?? -1, output: out });
    }),
  );
}
