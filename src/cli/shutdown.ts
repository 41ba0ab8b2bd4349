import type { Logger } from '../lib/log.js';

/**
 * onShutdown: the first SIGTERM/SIGINT runs `stop` with that signal (drain in-flight work, release
 * leases) and exits 0, or 1 when stopping failed; a second signal exits at once.
 */
export function onShutdown(log: Logger, stop: (signal: NodeJS.Signals) => Promise<void>, message = 'shutting down'): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, message);
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
