import { AggregatorRegistry } from 'prom-client';
import type { MetricsJson } from './messages.js';

/**
 * aggregateMetrics sums the Prometheus metrics of every process of a --workers group, series by
 * series (same name, same labels). Every berth metric declares the `sum` aggregator
 * (src/lib/metric-series.ts); the target-state gauge is only ever set in the primary, so its sum
 * is the primary's value.
 */
export function aggregateMetrics(perProcess: MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate(perProcess).metrics();
}
