import { DiagLogLevel, diag } from '@opentelemetry/api';
import { InvalidArgumentError, type Command } from 'commander';
import type { AccessLogFormat } from '../dataplane/access-log/format.js';
import { AccessLog } from '../dataplane/access-log/access-log.js';
import { AccessLogReopenError, AccessLogWriter } from '../dataplane/access-log/writer.js';
import { parseSampleRatio, tracesUrl, Tracing } from '../dataplane/tracing/tracing.js';
import type { Logger } from '../lib/log.js';
import { parseTrustedIps, type TrustedIps } from '../lib/trusted-ips.js';
import { valueOption } from './flags.js';

/** ObservabilityFlagValues: what addObservabilityFlags parses. */
export interface ObservabilityFlagValues {
  accessLog?: string;
  accessLogFormat?: AccessLogFormat;
  trustedIps?: TrustedIps;
  otlpEndpoint?: string;
  traceSampleRatio?: number;
}

/** The gateway options these flags turn into (see GatewayOptions). */
export interface ObservabilityOptions {
  accessLog: AccessLog | null;
  trustedIps: TrustedIps | undefined;
  tracing: Tracing;
}

/** validated: an argParser that turns a thrown Error into commander's readable usage error. */
function validated<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

function accessLogFormat(value: string): AccessLogFormat {
  if (value !== 'json' && value !== 'combined') throw new Error(`expected json or combined, got "${value}"`);
  return value;
}

/** addObservabilityFlags: access log, trusted proxies and tracing (each also from its BERTH_* variable). */
export function addObservabilityFlags(cmd: Command): Command {
  return cmd
    .addOption(valueOption('--access-log', 'access log: stdout, off, or a file to append to', 'BERTH_ACCESS_LOG', 'stdout'))
    .addOption(valueOption('--access-log-format', 'access log format: json or combined', 'BERTH_ACCESS_LOG_FORMAT', 'json')
      .argParser(validated(accessLogFormat)))
    .addOption(valueOption('--trusted-ips', 'CIDRs whose X-Forwarded-* / Forwarded headers are trusted (comma list)', 'BERTH_TRUSTED_IPS')
      .argParser(validated(parseTrustedIps)))
    .addOption(valueOption('--otlp-endpoint', 'OTLP/HTTP endpoint to export request spans to (off when unset)', 'BERTH_OTLP_ENDPOINT')
      .argParser(validated((v) => (tracesUrl(v), v))))
    .addOption(valueOption('--trace-sample-ratio', 'share of new traces exported, 0..1', 'BERTH_TRACE_SAMPLE_RATIO', '0')
      .argParser(validated(parseSampleRatio)));
}

/** accessLogTarget: where --access-log sends lines, `stdout` when it is not given. */
export function accessLogTarget(flags: ObservabilityFlagValues): string {
  return flags.accessLog ?? 'stdout';
}

/**
 * observabilityOptionsFrom opens the access log (stdout, or a file in append mode) and sets up
 * tracing. A file that cannot be opened stops start-up with a readable message.
 */
export function observabilityOptionsFrom(flags: ObservabilityFlagValues, log: Logger): ObservabilityOptions {
  // A closed stdout fails every batch: say so once a minute, the drop counter has the rest.
  let lastErrorAt = -Infinity;
  const onError = (err: Error): void => {
    if (err instanceof AccessLogReopenError) {
      log.error({ err }, 'access log not reopened; lines go on to the file open before');
      return;
    }
    if (Date.now() - lastErrorAt < 60_000) return;
    lastErrorAt = Date.now();
    log.error({ err }, 'access log write failed; lines are dropped (berth_access_log_dropped_total)');
  };
  const target = accessLogTarget(flags);
  const format = flags.accessLogFormat ?? 'json';
  let accessLog: AccessLog | null = null;
  if (target === 'stdout') accessLog = new AccessLog(AccessLogWriter.toStdout(onError), format);
  else if (target !== 'off') {
    try {
      accessLog = new AccessLog(AccessLogWriter.toFile(target, onError), format);
    } catch (err) {
      process.stderr.write(`berth: cannot open the access log ${target}: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const ratio = typeof flags.traceSampleRatio === 'number' ? flags.traceSampleRatio : parseSampleRatio(flags.traceSampleRatio);
  if (flags.otlpEndpoint !== undefined) reportExportErrors(log);
  return {
    accessLog,
    trustedIps: flags.trustedIps,
    tracing: new Tracing({ otlpEndpoint: flags.otlpEndpoint, sampleRatio: ratio }),
  };
}

/**
 * reportExportErrors: the OpenTelemetry SDK reports failed exports (collector down, refused) only
 * through its process-wide diag logger, silent by default; berth logs them as warnings.
 */
function reportExportErrors(log: Logger): void {
  const warn = (message: string, ...args: unknown[]): void => log.warn({ otel: args.map(String) }, `trace export: ${message}`);
  const ignore = (): void => {};
  diag.setLogger({ error: warn, warn, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
}
