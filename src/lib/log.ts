import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr; one logger per process, passed down (never imported as a global). */
export function createLogger(level: LevelWithSilent | string = 'info', name = 'berth'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything, for tests and library callers. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
