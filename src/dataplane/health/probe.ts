import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { HealthSettings } from './settings.js';

/** ProbeOutcome: an HTTP status, a completed TCP connect, or why the probe failed. */
export type ProbeOutcome = number | 'connected' | 'tcp_failure' | 'timeout';

type ProbeSettings = HealthSettings['active'];

/**
 * probe: one active check of `host:port`. Resolves, never rejects; every socket it opens is
 * closed by the time it resolves (no keep-alive: a probe must see a fresh connection).
 */
export function probe(host: string, port: number, s: ProbeSettings): Promise<ProbeOutcome> {
  const p = s.type === 'tcp' ? probeTcp(host, port, s.timeoutMs) : probeHttp(host, port, s);
  // A header value or port Node refuses throws before any socket exists: the target is unreachable as configured.
  return p.catch(() => 'tcp_failure' as const);
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    function finish(outcome: ProbeOutcome): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    socket.once('connect', () => finish('connected'));
    socket.on('error', () => finish('tcp_failure'));
  });
}

function probeHttp(host: string, port: number, s: ProbeSettings): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const options: https.RequestOptions = {
      host, port, path: s.httpPath, method: 'GET', headers: s.headers, agent: false,
    };
    if (s.type === 'https') {
      options.rejectUnauthorized = s.httpsVerify;
      if (s.httpsSni !== undefined) options.servername = s.httpsSni;
    }
    const req = (s.type === 'https' ? https : http).request(options);
    const timer = setTimeout(() => finish('timeout'), s.timeoutMs);
    function finish(outcome: ProbeOutcome): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    }
    req.once('response', (res) => {
      res.on('error', () => {}); // the abort caused by finish() below
      res.resume();
      finish(res.statusCode ?? 0);
    });
    // Refused, reset, TLS verification or a garbled response: Kong counts these as TCP failures.
    req.on('error', () => finish('tcp_failure'));
    req.end();
  });
}
