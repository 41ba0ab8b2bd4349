// Real processes for the manifests-mode walkthrough (test/e2e/manifests-*.test.ts, bench/propagation.ts):
// `berth echo` pods on loopback addresses and `berth run --manifests DIR`, all from bin/berth.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testWorkers } from '../helpers/gateway.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'berth.js');

/** EchoPod is one endpoint of the guide's EndpointSlice. */
export interface EchoPod {
  name: string;
  ip: string;
  uid: string;
}

export type PodState = 'ready' | 'terminating' | 'gone';

/** podsOn makes three pods on ip prefix a.b.c.(first..first+2), named like a Deployment's pods. */
export function podsOn(prefix: string, first: number): EchoPod[] {
  return ['k2x4p', 'm8q7z', 't5w9r'].map((suffix, i) => ({
    name: `echo-7f9c6d8b5-${suffix}`,
    ip: `${prefix}${first + i}`,
    uid: `00000000-0000-4000-8000-${String(first + i).padStart(12, '0')}`,
  }));
}

/** endpointSliceYaml renders the guide's EndpointSlice `echo-xxxxx` with each pod in its state. */
export function endpointSliceYaml(pods: EchoPod[], states: PodState[], port: number): string {
  const endpoints = pods.flatMap((pod, i) => {
    const state = states[i] ?? 'ready';
    if (state === 'gone') return [];
    const ready = state === 'ready';
    return [`  - addresses: ["${pod.ip}"]
    conditions: {ready: ${ready}, serving: true, terminating: ${!ready}}
    targetRef: {kind: Pod, name: ${pod.name}, namespace: kong, uid: ${pod.uid}}`];
  });
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-xxxxx
  namespace: kong
  labels: {kubernetes.io/service-name: echo}
addressType: IPv4
ports: [{name: http, port: ${port}, protocol: TCP}]
endpoints:
${endpoints.join('\n')}
`;
}

/** manifestsDir copies examples/echo to a temp folder and points its EndpointSlice at the pods. */
export async function manifestsDir(pods: EchoPod[], port: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-e2e-'));
  await cp(join(ROOT, 'examples', 'echo'), dir, { recursive: true });
  await writeFile(join(dir, 'endpointslice.yaml'), endpointSliceYaml(pods, ['ready', 'ready', 'ready'], port));
  return dir;
}

/** freePort asks the kernel for a port that is free on host right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((r, j) => server.once('error', j).listen(0, host, () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Proc is a spawned berth process with its output kept for assertions and failure messages. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function spawnBerth(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const workers = { BERTH_WORKERS: testWorkers() };
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BERTH_SHUTDOWN_DELAY: '0', ...workers, ...env } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // A test file that dies (uncaught error, process.exit) must not leave berth processes behind.
  const reap = (): void => void child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => out, stop };
}

/** until polls check (bounded) and fails with what it was waiting for. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** startEchoPods starts one `berth echo` per pod, all on one port (found free on the first pod's address). */
export async function startEchoPods(pods: EchoPod[]): Promise<{ port: number; procs: Proc[] }> {
  const port = await freePort(pods[0]!.ip);
  const procs = pods.map((pod) => spawnBerth(['echo', '--listen', `${pod.ip}:${port}`, '--name', pod.name, '--namespace', 'kong', '--node', 'e2e']));
  try {
    for (const [i, pod] of pods.entries()) {
      // Generous: on a loaded machine a node process can take many seconds to start.
      await until(`echo ${pod.name} on ${pod.ip}:${port}`, async () => {
        if (procs[i]!.child.exitCode !== null) throw new Error(`echo exited: ${procs[i]!.output()}`);
        return procs[i]!.output().includes('listening on');
      }, 30_000);
    }
  } catch (err) {
    // The caller never gets `procs` when this throws: stop them here or they outlive the test.
    await Promise.all(procs.map((p) => p.stop()));
    throw err;
  }
  return { port, procs };
}

/** Berth is a running `berth run --manifests`. */
export interface Berth extends Proc {
  proxy: string;
  admin: string;
}

export async function startBerthRun(dir: string, extra: string[] = []): Promise<Berth> {
  const proxyPort = await freePort();
  const adminPort = await freePort();
  const proc = spawnBerth(['run', '--manifests', dir, '--proxy-listen', `127.0.0.1:${proxyPort}`,
    '--admin-listen', `127.0.0.1:${adminPort}`, '--session-secret', 'e2e-secret-0123456789abcdef', ...extra]);
  const berth = { ...proc, proxy: `http://127.0.0.1:${proxyPort}`, admin: `http://127.0.0.1:${adminPort}` };
  await until('berth run to serve /echo', async () => {
    if (proc.child.exitCode !== null) throw new Error(`berth run exited: ${proc.output()}`);
    return (await fetch(`${berth.proxy}/echo`)).status === 200;
  });
  return berth;
}

/** EchoReply is what one proxied request tells us: which pod, and the cookie it was given. */
export interface EchoReply {
  status: number;
  pod: string | undefined;
  setCookie: string | undefined;
}

export async function get(url: string, cookie?: string): Promise<EchoReply> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} });
  const body = await res.text();
  return { status: res.status, pod: /Running on Pod (\S+)\./.exec(body)?.[1], setCookie: res.headers.get('set-cookie') ?? undefined };
}

/** cookiePair keeps the name=value part of a Set-Cookie header, as a client sends it back. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0]!.trim();
}
