/**
 * Hot-path Prometheus series: plain numbers in Maps, turned into prom-client's metric shape only
 * when /metrics is read. prom-client's own `child.inc()` hashes its label object on every call,
 * which costs about a microsecond per proxied request; these cost a few Map lookups.
 */

type MetricType = 'counter' | 'histogram';

/** What prom-client's Registry reads from a registered metric. */
export interface CollectedMetric {
  name: string;
  help: string;
  type: MetricType;
  aggregator: 'sum';
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
}

/** CollectableMetric: registered with `registry.registerMetric`; `get` runs at scrape time. */
export interface CollectableMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregator: 'sum';
  get(): CollectedMetric;
  reset(): void;
}

/** A label value: numbers (HTTP statuses) are written as decimal text at scrape time. */
type LabelValue = string | number;
/** One Map level per label but the last, whose Map holds the counts. */
type Cells = Map<LabelValue, Cells | number>;

/**
 * LabeledCounter: a counter per tuple of label values, held in one Map level per label. The hot
 * path passes the values themselves (long-lived config strings whose hashes V8 keeps, and numbers):
 * joining them into one key built a string and hashed it anew for every request.
 */
export class LabeledCounter implements CollectableMetric {
  readonly type: MetricType = 'counter';
  readonly aggregator = 'sum' as const;
  private readonly cells: Cells = new Map();

  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly [string, string] | readonly [string, string, string]) {}

  /** inc adds one to the series of (l0, l1[, l2]); pass exactly as many values as labelNames. */
  inc(l0: LabelValue, l1: LabelValue, l2?: LabelValue): void {
    let level = this.cells.get(l0) as Cells | undefined;
    if (level === undefined) this.cells.set(l0, (level = new Map()));
    if (l2 === undefined) {
      level.set(l1, ((level.get(l1) as number | undefined) ?? 0) + 1);
      return;
    }
    let last = level.get(l1) as Cells | undefined;
    if (last === undefined) level.set(l1, (last = new Map()));
    last.set(l2, ((last.get(l2) as number | undefined) ?? 0) + 1);
  }

  /** removeWhere drops every series whose first label equals `first`. */
  removeWhere(first: string): void {
    this.cells.delete(first);
  }

  get(): CollectedMetric {
    const values: CollectedMetric['values'] = [];
    const walk = (level: Cells, prefix: LabelValue[]): void => {
      for (const [value, next] of level) {
        if (typeof next === 'number') values.push({ labels: this.labelsOf([...prefix, value]), value: next });
        else walk(next, [...prefix, value]);
      }
    };
    walk(this.cells, []);
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    this.cells.clear();
  }

  private labelsOf(values: LabelValue[]): Record<string, string> {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = String(values[i]!)));
    return labels;
  }
}

/** UpstreamHistogram: a latency histogram per upstream with fixed buckets. */
export class UpstreamHistogram implements CollectableMetric {
  readonly type: MetricType = 'histogram';
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, { counts: Float64Array; sum: number; count: number }>();

  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[]) {}

  // Hot path.
  observe(upstream: string, value: number): void {
    let s = this.series.get(upstream);
    if (s === undefined) {
      s = { counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(upstream, s);
    }
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    if (i < buckets.length) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  remove(upstream: string): void {
    this.series.delete(upstream);
  }

  get(): CollectedMetric {
    const values: CollectedMetric['values'] = [];
    for (const [upstream, s] of this.series) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, upstream }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', upstream }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { upstream }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { upstream }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    this.series.clear();
  }
}
