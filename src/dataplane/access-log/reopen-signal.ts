import type { Logger } from '../../lib/log.js';

/**
 * onReopenSignal: SIGUSR1 opens the access-log file again, as nginx and Traefik do on USR1, so
 * logrotate can move the file away and signal (`postrotate kill -USR1 <pid>`) instead of copying
 * and truncating it (which loses the lines written in between). With --workers the primary passes
 * it on to every worker. Installing the listener also keeps node from opening its inspector on
 * SIGUSR1, which a production proxy should not do.
 */
export function onReopenSignal(log: Logger, reopen: () => void): void {
  process.on('SIGUSR1', () => {
    log.info('SIGUSR1: reopening the access log');
    reopen();
  });
}
