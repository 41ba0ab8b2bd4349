// npm start: the guide (shared/seed) on one machine. Three `berth echo` pods on 127.0.0.11..13:1027
// and `berth run --manifests` over a temporary copy of examples/echo, so edits made during the demo
// never touch the repository. Stays up until Ctrl-C, then stops its children and removes the copy.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const berth = join(root, 'bin', 'berth.js');
const proxyListen = process.env.BERTH_PROXY_LISTEN ?? '127.0.0.1:8000';
const adminListen = process.env.BERTH_ADMIN_LISTEN ?? '127.0.0.1:8001';
const proxyPort = proxyListen.split(':').at(-1);
const adminPort = adminListen.split(':').at(-1);
const pods = [
  ['echo-7f9c6d8b5-k2x4p', '127.0.0.11'],
  ['echo-7f9c6d8b5-m8q7z', '127.0.0.12'],
  ['echo-7f9c6d8b5-t5w9r', '127.0.0.13'],
];

const work = mkdtempSync(join(tmpdir(), 'berth-demo-'));
const manifests = join(work, 'manifests');
const logs = join(work, 'logs');
cpSync(join(root, 'examples', 'echo'), manifests, { recursive: true });
mkdirSync(logs);
const children = [];

/** start runs `berth <args>` with stdout and stderr in logs/<name>.log. */
function start(name, args, env = {}) {
  const out = openSync(join(logs, `${name}.log`), 'a');
  // Stopping the demo should be quick: no SIGTERM grace delay (see --shutdown-delay).
  const child = spawn(process.execPath, [berth, ...args], { stdio: ['ignore', out, out], env: { BERTH_SHUTDOWN_DELAY: '0', ...process.env, ...env } });
  // Ctrl-C in a terminal signals the children too; they exit 0 on it, which is not a failure.
  child.on('exit', (code, signal) => {
    if (stopping) return;
    if (code !== 0) console.error(`\n${name} exited (${signal ?? code}); see ${join(logs, `${name}.log`)}`);
    shutdown(code === 0 ? 0 : 1);
  });
  children.push(child);
}

async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r))));
  const timeout = new Promise((r) => setTimeout(r, 5000).unref());
  Promise.race([Promise.all(exited), timeout]).then(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
    console.log(`\nstopped; removed ${work}`);
    process.exit(code);
  });
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

for (const [pod, ip] of pods) {
  start(pod, ['echo', '--listen', `${ip}:1027`, '--name', pod, '--namespace', 'kong', '--node', 'local']);
}
start('berth-run', ['run', '--manifests', manifests, '--proxy-listen', proxyListen, '--admin-listen', adminListen], {
  BERTH_SESSION_SECRET: process.env.BERTH_SESSION_SECRET ?? randomBytes(32).toString('hex'),
});

try {
  for (const [, ip] of pods) await waitFor(`echo on ${ip}:1027`, async () => (await fetch(`http://${ip}:1027/`)).ok);
  await waitFor(`the proxy on ${proxyListen}`, async () => (await fetch(`http://127.0.0.1:${proxyPort}/echo`)).ok);
} catch (err) {
  console.error(`${err.message}; logs are in ${logs}`);
  console.error('On macOS, add the loopback addresses first: for i in 11 12 13; do sudo ifconfig lo0 alias 127.0.0.$i up; done');
  shutdown(1);
}
if (!stopping) printGuide(await upstreamName());

/** upstreamName asks the admin API what the translator called the echo Service's upstream. */
async function upstreamName() {
  const body = await (await fetch(`http://127.0.0.1:${adminPort}/upstreams`)).json().catch(() => ({ data: [] }));
  return body.data?.[0]?.name ?? '<upstream>';
}

function printGuide(upstream) {
  const p = `localhost:${proxyPort}`;
  const steps = join(root, 'examples', 'echo-scale-down');
  console.log(`
berth is running the guide: proxy http://${p}, admin http://localhost:${adminPort}
manifests (edit freely): ${manifests}
logs:                    ${logs}

1. First request: the response sets the session-id cookie and names the pod that served it
   curl -i -c /tmp/berth-jar http://${p}/echo

2. Later requests with the cookie reach the same pod (no new Set-Cookie)
   for i in 1 2 3 4 5; do curl -s -b /tmp/berth-jar http://${p}/echo | grep Pod; done

   Without the cookie, requests spread over the pods:
   for i in 1 2 3 4 5 6; do curl -s http://${p}/echo | grep Pod; done

3. Scale down: mark echo-7f9c6d8b5-t5w9r (127.0.0.13) terminating
   cp ${join(steps, '1-terminating.yaml')} ${join(manifests, 'endpointslice.yaml')}
   To watch a session survive, first pin one to that pod (before the cp):
   until curl -s -c /tmp/berth-jar http://${p}/echo | grep t5w9r; do :; done
   After the cp, that session keeps reaching t5w9r and new sessions never do:
   curl -si -b /tmp/berth-jar http://${p}/echo | grep -iE 'pod|set-cookie'
   for i in 1 2 3 4 5 6; do curl -s http://${p}/echo | grep Pod; done
   Drain progress (state DRAINING, sticky_requests_last_60s):
   curl -s http://localhost:${adminPort}/upstreams/${upstream}/health
   Statuses the controller would write back: curl -s http://localhost:${adminPort}/kubernetes/status

4. The pod is gone: its sessions move to another pod with a new cookie
   cp ${join(steps, '2-removed.yaml')} ${join(manifests, 'endpointslice.yaml')}
   curl -i -b /tmp/berth-jar -c /tmp/berth-jar http://${p}/echo

5. Back to three pods:
   cp ${join(root, 'examples', 'echo', 'endpointslice.yaml')} ${join(manifests, 'endpointslice.yaml')}

Ctrl-C stops everything.`);
}
