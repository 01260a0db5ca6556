/**
 * Plain numbers the relay counts; the shell formats them as Prometheus text. Kept free of any
 * metrics library so the relay core stays framework-free and cheap to test.
 */
export interface Histogram {
  /** upper bounds in ms, ascending; `counts[i]` is the number of observations ≤ `bounds[i]` (cumulative) */
  bounds: number[];
  counts: number[];
  /** observations above the last bound are only in `count` and `sum` */
  count: number;
  sum: number;
}

export interface RelayMetrics {
  connections: { mux: number; sync: number };
  /** documents followed by at least one socket */
  openDocuments: number;
  /** documents held in memory, followed or idle */
  documentsInMemory: number;
  /** encoded bytes of all documents in memory */
  documentBytes: number;
  /** accepted updates since start */
  updatesTotal: number;
  /** accepted updates per second over the last complete second */
  updatesPerSecond: number;
  bytesIn: number;
  bytesOut: number;
  /** store.append latency, ms */
  commitLatencyMs: Histogram;
  /** refusals and closes by reason ('bad_update', 'forbidden', 'too_large', 'rate', ...) */
  rejections: Record<string, number>;
}

export const COMMIT_BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

export function createHistogram(bounds: number[]): Histogram & { observe(v: number): void } {
  const h = {
    bounds: bounds.slice(),
    counts: bounds.map(() => 0),
    count: 0,
    sum: 0,
    observe(v: number) {
      h.count++;
      h.sum += v;
      for (let i = 0; i < h.bounds.length; i++) if (v <= h.bounds[i]!) h.counts[i]!++;
    },
  };
  return h;
}

/** Counts events per whole second so `updatesPerSecond` reads the last finished second. */
export function createRateMeter(now: () => number): { mark(): void; perSecond(): number } {
  let second = Math.floor(now() / 1000);
  let current = 0;
  let previous = 0;
  const roll = (): void => {
    const s = Math.floor(now() / 1000);
    if (s === second) return;
    previous = s === second + 1 ? current : 0;
    current = 0;
    second = s;
  };
  return {
    mark() {
      roll();
      current++;
    },
    perSecond() {
      roll();
      return previous;
    },
  };
}
