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

/** LabeledCounter: a counter keyed by a fixed list of label values joined into one key. */
export class LabeledCounter implements CollectableMetric {
  readonly type: MetricType = 'counter';
  readonly aggregator = 'sum' as const;
  private readonly cells = new Map<string, { labels: string[]; value: number }>();

  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly string[]) {}

  /**
   * inc: `key` must be unique per label tuple; the label values (as many as labelNames) are
   * stored only the first time. Fixed parameters, so a call allocates no array or closure.
   */
  inc(key: string, l0: string, l1: string, l2 = ''): void {
    const cell = this.cells.get(key);
    if (cell !== undefined) cell.value++;
    else this.cells.set(key, { labels: [l0, l1, l2].slice(0, this.labelNames.length), value: 1 });
  }

  /** removeWhere drops every series whose first label equals `first`. */
  removeWhere(first: string): void {
    for (const [key, cell] of this.cells) if (cell.labels[0] === first) this.cells.delete(key);
  }

  get(): CollectedMetric {
    const values = [...this.cells.values()].map((cell) => ({ labels: this.labelsOf(cell.labels), value: cell.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    this.cells.clear();
  }

  private labelsOf(values: string[]): Record<string, string> {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
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
