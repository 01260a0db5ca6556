/** Latency samples and the figures the report prints from them. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** the distribution for the chart: count per bucket of `bucketMs` */
  histogram: { bucketMs: number; counts: number[] };
}

const CHART_BUCKETS = 40;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarise(samples: readonly number[], chartMaxMs = 100): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  const bucketMs = chartMaxMs / CHART_BUCKETS;
  const counts = new Array<number>(CHART_BUCKETS + 1).fill(0);
  // The last bucket collects everything beyond the chart's range.
  for (const s of list) counts[Math.min(CHART_BUCKETS, Math.floor(s / bucketMs))]!++;
  return {
    count: list.length,
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p99: round(percentile(list, 99)),
    max: round(list.length ? list[list.length - 1]! : NaN),
    histogram: { bucketMs, counts },
  };
}

export const round = (n: number, digits = 2): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);
