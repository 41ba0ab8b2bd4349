import type { FinishedRequest, RequestObserver } from '../proxy/observer.js';
import type { Tracing } from '../tracing/tracing.js';
import { encoderFor, type AccessLogFormat, type LineEncoder } from './format.js';
import { accessRecord } from './record.js';
import type { AccessLogSink } from './writer.js';

/**
 * RequestReporter: the observer that turns each finished request into one access-log line and the
 * end of its span. `wanted` is false when neither is on; the gateway then installs no observer
 * and the proxy skips the call altogether.
 */
export class RequestReporter implements RequestObserver {
  readonly wanted: boolean;
  private readonly encode: LineEncoder<FinishedRequest>;

  constructor(
    readonly sink: AccessLogSink | null,
    readonly format: AccessLogFormat,
    readonly tracing: Tracing,
  ) {
    this.wanted = sink !== null || tracing.exporting;
    this.encode = encoderFor(format);
  }

  onRequestEnd(request: FinishedRequest): void {
    if (this.sink !== null) this.sink.append(this.encode, request);
    if (request.trace !== null) this.tracing.end(request.trace, accessRecord(request));
  }

  /** close flushes the log and exports queued spans (shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.sink?.close(), this.tracing.shutdown()]);
  }
}

