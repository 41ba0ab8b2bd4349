// The suite's weighted-distribution check (kubernetes-sigs/gateway-api conformance/utils/weight/weight.go,
// used by conformance/tests/httproute-weight.go): 500 requests, 10 in flight, each Service's share
// within 0.05 of its weight, exactly the weighted Services answering; retried up to 10 times.
import { randomBytes } from 'node:crypto';
import { BACKENDS } from './backends.js';
import type { Distribution } from './cases.js';
import { send } from './client.js';

const TOTAL = 500;
const IN_FLIGHT = 10;
const TOLERANCE = 0.05;
const MAX_TRIES = 10;

/** backendOf maps a pod name to its Service, as weight.go's extractBackendName does. */
function backendOf(pod: string): string {
  const parts = pod.split('-');
  return parts.length < 3 ? pod : parts.slice(0, -2).join('-');
}

async function oneRound(port: number, d: Distribution): Promise<string[]> {
  const seen = new Map<string, number>();
  let next = 0;
  const problems: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < TOTAL && problems.length === 0) {
      next++;
      // Entropy per request (weight.go's AddEntropy) so no hash of the request pins the pick.
      const reply = await send(port, { path: d.path, headers: { 'X-Entropy': randomBytes(8).toString('hex') } });
      const pod = reply.echoed?.pod;
      if (reply.status !== 200 || pod === undefined) problems.push(`status ${reply.status} from ${pod ?? 'no backend'}`);
      else if (!(backendOf(pod) in d.weights) || !BACKENDS.some((b) => b.service === backendOf(pod))) problems.push(`answered by unexpected pod ${pod}`);
      else seen.set(backendOf(pod), (seen.get(backendOf(pod)) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (problems.length > 0) return problems;
  const active = Object.values(d.weights).filter((w) => w > 0).length;
  if (seen.size !== active) problems.push(`expected ${active} backends to receive traffic, got ${seen.size}`);
  for (const [service, want] of Object.entries(d.weights)) {
    const got = (seen.get(service) ?? 0) / TOTAL;
    if (want > 0 && !seen.has(service)) problems.push(`no traffic reached ${service}`);
    else if (Math.abs(got - want) > TOLERANCE) problems.push(`${service} got ${got} of the traffic, want ${want} (+/-${TOLERANCE})`);
  }
  return problems;
}

/** distributionProblem runs up to MAX_TRIES rounds; undefined once one round matches the weights. */
export async function distributionProblem(port: number, d: Distribution): Promise<string | undefined> {
  let last: string[] = [];
  for (let i = 0; i < MAX_TRIES; i++) {
    last = await oneRound(port, d);
    if (last.length === 0) return undefined;
  }
  return `weighted distribution failed ${MAX_TRIES} times, last: ${last.join('; ')}`;
}
