import { Counter, type Registry } from 'prom-client';

/**
 * registerAccessLogMetrics: berth_access_log_dropped_total, lines the access log dropped because
 * its destination (a slow stdout reader, a stuck disk) fell behind. Read from the log when
 * /metrics is scraped, so the drop path itself touches only a number.
 */
export function registerAccessLogMetrics(registry: Registry, accessLog: { readonly dropped: number } | null): void {
  new Counter({
    name: 'berth_access_log_dropped_total',
    help: 'Access log lines dropped because the destination was slower than the traffic',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(accessLog?.dropped ?? 0);
    },
  });
}
