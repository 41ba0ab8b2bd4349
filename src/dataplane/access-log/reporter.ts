import type { FinishedRequest, RequestObserver } from '../proxy/observer.js';
import type { Tracing } from '../tracing/tracing.js';
import type { AccessLog } from './access-log.js';
import { accessRecord } from './record.js';

/**
 * RequestReporter: the observer that hands each finished request to the access log and ends its
 * span. `wanted` is false when neither is on; the gateway then installs no observer
 * and the proxy skips the call altogether.
 */
export class RequestReporter implements RequestObserver {
  readonly wanted: boolean;

  constructor(
    readonly accessLog: AccessLog | null,
    readonly tracing: Tracing,
  ) {
    this.wanted = accessLog !== null || tracing.exporting;
  }

  onRequestEnd(request: FinishedRequest): void {
    if (this.accessLog !== null) this.accessLog.record(request);
    if (request.trace !== null) this.tracing.end(request.trace, accessRecord(request));
  }

  /** close flushes the log and exports queued spans (shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.accessLog?.close(), this.tracing.shutdown()]);
  }
}

