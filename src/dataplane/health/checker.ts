import type { UpstreamConfig } from '../../config/types.js';
import type { Logger } from '../../lib/log.js';
import type { TargetState } from '../targets/target.js';
import { type CheckResult, HealthCounters, classifyStatus, record } from './counters.js';
import { type ProbeOutcome, probe } from './probe.js';
import { type HealthSettings, type Thresholds, healthSettings } from './settings.js';

export { upstreamHealth } from './upstream-health.js';

/** What the proxy saw on one request to a target (passive checks). */
export interface PassiveOutcome {
  status?: number;
  tcpFailure?: boolean;
  timeout?: boolean;
}

export interface HealthCheckerDeps {
  log: Logger;
}

type Which = 'healthy' | 'unhealthy' | 'all';

/**
 * HealthChecker: active probes and passive counters for one upstream, with Kong's semantics
 * (semantics.md s5). It only writes `target.healthy` / `target.healthchecksOn` and calls
 * `onChange` when a target's health flips, so the owner re-feeds its balancer; it never talks
 * to balancers itself. Draining (weight 0) targets are probed like any other: an operator
 * must see whether the pods still holding sessions are alive.
 */
export class HealthChecker {
  private settings: HealthSettings;
  private readonly counters = new WeakMap<TargetState, HealthCounters>();
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  /** Bumped by stop() and reschedules, so probe rounds started earlier drop their results. */
  private generation = 0;

  constructor(
    upstream: UpstreamConfig,
    private readonly targets: () => readonly TargetState[],
    private readonly onChange: (t: TargetState) => void,
    private readonly deps: HealthCheckerDeps,
  ) {
    this.settings = healthSettings(upstream);
    this.markTargets();
  }

  /** False when Kong would report HEALTHCHECKS_OFF: no active interval and no passive counter. */
  get enabled(): boolean {
    return this.settings.enabled;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.cancel();
  }

  /** reconfigure: new settings, and a sync with the current target list (call after every reload). */
  reconfigure(upstream: UpstreamConfig): void {
    const before = this.settings;
    this.settings = healthSettings(upstream);
    if (before.enabled && !this.settings.enabled) {
      for (const t of this.targets()) this.setHealth(t, true, 'health checks switched off');
    }
    this.markTargets();
    const a = this.settings.active;
    if (this.running && (a.healthyInterval !== before.active.healthyInterval || a.unhealthyInterval !== before.active.unhealthyInterval)) {
      this.cancel();
      this.schedule();
    }
  }

  /** checkOnce: one probe round over the states whose interval is on, without timers (tests). */
  checkOnce(): Promise<void> {
    const a = this.settings.active;
    const which: Which | null =
      a.healthyInterval > 0 && a.unhealthyInterval > 0 ? 'all' : a.healthyInterval > 0 ? 'healthy' : a.unhealthyInterval > 0 ? 'unhealthy' : null;
    return which === null ? Promise.resolve() : this.round(which, this.generation);
  }

  // Hot path: called once per proxied request.
  reportPassive(target: TargetState, outcome: PassiveOutcome): void {
    if (!this.settings.enabled || target.removed) return;
    const passive = this.settings.passive;
    const result: CheckResult = outcome.tcpFailure
      ? 'tcp_failure'
      : outcome.timeout
        ? 'timeout'
        : outcome.status !== undefined
          ? classifyStatus(outcome.status, passive)
          : 'ignored';
    if (result !== 'ignored') this.apply(target, result, passive, false, 'passive');
  }

  /**
   * setManual: the admin API's PUT .../healthy|unhealthy, or a --workers peer's verdict; also
   * clears the counters.
   */
  setManual(target: TargetState, healthy: boolean, reason = 'set by the admin API'): void {
    this.countersOf(target).reset();
    this.setHealth(target, healthy, reason);
  }

  private markTargets(): void {
    for (const t of this.targets()) t.healthchecksOn = this.settings.enabled;
  }

  private cancel(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private schedule(): void {
    const a = this.settings.active;
    if (a.healthyInterval > 0) this.loop('healthy', a.healthyInterval, this.generation);
    if (a.unhealthyInterval > 0) this.loop('unhealthy', a.unhealthyInterval, this.generation);
  }

  /** loop: the next round starts `intervalSec` after the previous one finished, never overlapping. */
  private loop(which: Which, intervalSec: number, generation: number): void {
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      void this.round(which, generation).then(() => {
        if (this.running && generation === this.generation) this.loop(which, intervalSec, generation);
      });
    }, intervalSec * 1000);
    timer.unref();
    this.timers.push(timer);
  }

  private async round(which: Which, generation: number): Promise<void> {
    const list = this.targets().filter((t) => !t.removed && (which === 'all' || t.healthy === (which === 'healthy')));
    const settings = this.settings.active;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const t = list[next++]!;
        const outcome = await probe(t.host, t.port, settings);
        if (generation === this.generation && !t.removed) this.applyProbe(t, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, list.length) }, worker));
  }

  private applyProbe(target: TargetState, outcome: ProbeOutcome): void {
    const active = this.settings.active;
    const result: CheckResult =
      typeof outcome === 'number' ? classifyStatus(outcome, active) : outcome === 'connected' ? 'success' : outcome;
    this.apply(target, result, active, true, 'active');
  }

  private apply(target: TargetState, result: CheckResult, limits: Thresholds, canHeal: boolean, source: string): void {
    const flip = record(this.countersOf(target), result, target.healthy, limits, canHeal);
    if (flip !== undefined) this.setHealth(target, flip, `${source} check: ${result}`);
  }

  private countersOf(target: TargetState): HealthCounters {
    let c = this.counters.get(target);
    if (c === undefined) {
      c = new HealthCounters();
      this.counters.set(target, c);
    }
    return c;
  }

  private setHealth(target: TargetState, healthy: boolean, reason: string): void {
    if (target.healthy === healthy) return;
    target.healthy = healthy;
    this.deps.log.info({ upstream: target.upstream, target: target.address, healthy, reason }, 'target health changed');
    this.onChange(target);
  }
}
