import type { ServiceConfig } from '../../config/types.js';
import { parseDuration } from './session.js';

/** RuleFields: service fields an HTTPRoute rule sets (`timeouts`, `retry`), so it gets its own service. */
export type RuleFields = Pick<ServiceConfig,
  'read_timeout' | 'write_timeout' | 'request_timeout' | 'backend_request_timeout' | 'retries' | 'retry_statuses' | 'retry_backoff'>;

/** Kong's largest timeout: what "0s" (no timeout, GEP-1742) becomes for the per-read limits. */
const NO_TIMEOUT = 2147483646;

/**
 * ruleFields maps a rule's `timeouts` and `retry` (apis/v1/httproute_types.go HTTPRouteTimeouts,
 * HTTPRouteRetry) onto berth's service extensions; undefined when the rule sets neither, a
 * message when a value is invalid.
 */
export function ruleFields(rule: any): RuleFields | string | undefined {
  const timeouts = timeoutFields(rule?.timeouts);
  if (typeof timeouts === 'string') return timeouts;
  const retry = retryFields(rule?.retry);
  if (typeof retry === 'string') return retry;
  if (timeouts === undefined && retry === undefined) return undefined;
  return { ...timeouts, ...retry };
}

/**
 * timeoutFields: `request` bounds the whole exchange (retries included), `backendRequest` each
 * try. Kong's per-read/write timeouts take the tighter of the two so they never cut a try short
 * of what the rule allows; "0s" switches a timeout off.
 */
function timeoutFields(t: any): RuleFields | string | undefined {
  if (t === undefined || t === null) return undefined;
  const request = duration(t.request, 'request');
  if (typeof request === 'string') return request;
  const backend = duration(t.backendRequest, 'backendRequest');
  if (typeof backend === 'string') return backend;
  const perTry = backend ?? request;
  if (perTry === undefined) return undefined;
  const out: RuleFields = { read_timeout: perTry || NO_TIMEOUT, write_timeout: perTry || NO_TIMEOUT };
  if (request !== undefined && request > 0) out.request_timeout = request;
  if (backend !== undefined && backend > 0) out.backend_request_timeout = backend;
  return out;
}

function duration(value: unknown, field: string): number | string | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) return `timeouts.${field} ${JSON.stringify(value)} is not a Gateway API duration`;
  if (ms > NO_TIMEOUT) return `timeouts.${field} ${JSON.stringify(value)} is longer than berth supports`;
  return ms;
}

/**
 * retryFields: `attempts` is Kong's `retries` (tries after the first); `codes` are statuses that
 * count as failures; a retry stanza also retries connection errors (the spec's SHOULD), which
 * `retry_statuses` being present switches on even when `codes` is empty.
 */
function retryFields(r: any): RuleFields | string | undefined {
  if (r === undefined || r === null) return undefined;
  const out: RuleFields = {};
  if (r.attempts !== undefined) {
    if (!Number.isInteger(r.attempts) || r.attempts < 1 || r.attempts > 32767) return `retry.attempts ${JSON.stringify(r.attempts)} must be an integer 1..32767`;
    out.retries = r.attempts;
  }
  const codes: unknown = r.codes ?? [];
  if (!Array.isArray(codes) || codes.some((c) => !Number.isInteger(c) || c < 400 || c > 599)) {
    return `retry.codes ${JSON.stringify(r.codes)} must be status codes 400..599`;
  }
  out.retry_statuses = [...new Set(codes as number[])];
  if (r.backoff !== undefined) {
    const ms = parseDuration(r.backoff);
    if (ms === undefined) return `retry.backoff ${JSON.stringify(r.backoff)} is not a Gateway API duration`;
    out.retry_backoff = ms;
  }
  return out;
}
