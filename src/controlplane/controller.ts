import { hashConfig } from '../config/hash.js';
import type { Logger } from '../lib/log.js';
import type { ConfigSink, StatusSink } from './sinks.js';
import { Snapshot } from './snapshot.js';
import type { ObjectSource } from './sources/source.js';
import { WarningLog } from './status/warning-log.js';
import type { TranslateResult } from './types.js';

/** Translates a snapshot; IncrementalTranslator is the production one. */
export interface SnapshotTranslator {
  update(snapshot: Snapshot): TranslateResult;
}

export interface ControllerOptions {
  source: ObjectSource;
  translator: SnapshotTranslator;
  configSinks: ConfigSink[];
  statusSink: StatusSink;
  log: Logger;
  /** Coalesce bursts of object changes (a rollout touches many slices at once). */
  debounceMs?: number;
  /** First retry delay after a failing sink; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Controller orders the calls: coalesce source changes -> snapshot -> translate -> push the config
 * to every sink -> publish statuses. One translation at a time; changes that arrive meanwhile are
 * folded into the next one, so the latest objects always win. A failing sink is logged and retried
 * with backoff; the sink keeps whatever config it had, so the last good config keeps serving.
 */
export class Controller {
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;
  #failures = 0;
  #lastResult: TranslateResult | null = null;
  #lastAppliedAt = 0;
  /** The source has delivered its first full view. */
  #loaded = false;
  readonly #debounceMs: number;
  readonly #warnings: WarningLog;

  constructor(private readonly opts: ControllerOptions) {
    this.#debounceMs = opts.debounceMs ?? 15;
    this.#warnings = new WarningLog(opts.log);
  }

  /** The result of the latest translation (whether or not every sink accepted it). */
  get lastResult(): TranslateResult | null {
    return this.#lastResult;
  }

  /** Date.now() when every sink last accepted a config and the statuses were published; 0 = never. */
  get lastAppliedAt(): number {
    return this.#lastAppliedAt;
  }

  /**
   * start loads the source, then runs the first translation before resolving. Changes seen while
   * the source is still loading only mark the state dirty: translating a partial view (routes
   * listed, their policy or EndpointSlices not yet) would push a config that drops sessions and
   * write statuses that are wrong, every time a controller restarts.
   */
  async start(): Promise<void> {
    this.opts.source.onChange(() => this.#schedule(this.#debounceMs));
    await this.opts.source.start();
    this.#loaded = true;
    this.#dirty = true;
    await this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#retryTimer);
    await this.#running;
    await this.opts.source.stop();
  }

  /** sync translates now (tests and the first run); resolves when that round is done. */
  async sync(): Promise<void> {
    this.#dirty = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#run();
  }

  /** #schedule also cuts a pending retry short: a new change deserves a prompt attempt. */
  #schedule(delayMs: number): void {
    this.#dirty = true;
    clearTimeout(this.#retryTimer);
    if (!this.#loaded || this.#stopped || this.#timer || this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delayMs);
  }

  #run(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      if (this.#dirty && !this.#stopped) this.#schedule(this.#debounceMs);
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      const ok = await this.#round();
      if (!ok) return this.#retryLater();
      this.#failures = 0;
    }
  }

  /** #round is one translation; false when something must be retried. */
  async #round(): Promise<boolean> {
    const started = performance.now();
    const result = this.#translate();
    if (!result) return false;
    this.#lastResult = result;
    this.#warnings.report(result.events);
    const hash = hashConfig(result.config);
    const pushed = await Promise.all(this.opts.configSinks.map((sink) => this.#push(sink, result, hash)));
    const published = await this.opts.statusSink.publish(result).then(
      () => true,
      (err: unknown) => (this.opts.log.error({ err }, 'publishing statuses failed; will retry'), false),
    );
    if (!pushed.every(Boolean) || !published) return false;
    this.#lastAppliedAt = Date.now();
    this.opts.log.debug({ hash, ms: +(performance.now() - started).toFixed(2) }, 'translated and applied');
    return true;
  }

  #translate(): TranslateResult | undefined {
    try {
      const snapshot = Snapshot.from(this.opts.source.objects());
      return this.opts.translator.update(snapshot);
    } catch (err) {
      this.opts.log.error({ err }, 'translation failed; the last good config keeps serving');
      return undefined;
    }
  }

  async #push(sink: ConfigSink, result: TranslateResult, hash: string): Promise<boolean> {
    try {
      await sink.push(result.config, hash);
      return true;
    } catch (err) {
      this.opts.log.error({ err, hash }, 'pushing config failed; the last good config keeps serving, will retry');
      return false;
    }
  }

  /** #retryLater re-runs the whole round after a backoff: translation is cheap and idempotent. */
  #retryLater(): void {
    this.#failures += 1;
    const base = this.opts.retryMs ?? 500;
    const delay = Math.min(base * 2 ** (this.#failures - 1), this.opts.maxRetryMs ?? 30_000);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#dirty = true;
      void this.#run();
    }, delay);
  }
}
