/**
 * Prometheus text exposition of the relay's figures (relay/metrics.ts: plain numbers, `{key:
 * number}` records and cumulative histograms) plus process figures. Names are snake_cased and
 * prefixed `parley_`; a record becomes one labelled series per key.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Label name for records whose keys have a meaning; other records use `key`. */
const LABELS: Record<string, string> = { connections: 'endpoint', rejections: 'reason' };

interface HistogramLike {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number;
}

export function renderMetrics(figures: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [raw, value] of Object.entries(figures)) {
    const name = metricName(raw);
    if (typeof value === 'number') {
      lines.push(`# TYPE ${name} ${/total$/i.test(raw) ? 'counter' : 'gauge'}`, `${name} ${num(value)}`);
    } else if (isHistogram(value)) {
      lines.push(`# TYPE ${name} histogram`);
      value.bounds.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${num(value.counts[i] ?? 0)}`));
      lines.push(`${name}_bucket{le="+Inf"} ${num(value.count)}`, `${name}_sum ${num(value.sum)}`, `${name}_count ${num(value.count)}`);
    } else if (value && typeof value === 'object') {
      const label = LABELS[raw] ?? 'key';
      lines.push(`# TYPE ${name} gauge`);
      for (const [key, n] of Object.entries(value)) if (typeof n === 'number') lines.push(`${name}{${label}="${escapeLabel(key)}"} ${num(n)}`);
    }
  }
  const mem = process.memoryUsage();
  const proc: [string, number][] = [
    ['parley_process_resident_memory_bytes', mem.rss],
    ['parley_process_heap_used_bytes', mem.heapUsed],
    ['parley_process_uptime_seconds', Math.round(process.uptime())],
  ];
  for (const [name, value] of proc) lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
  lines.push(...renderLoopDelay());
  return lines.join('\n') + '\n';
}

const LOOP_RESOLUTION_MS = 10;
/**
 * The event loop belongs to the process, like its memory: one monitor per process, whichever app
 * instance started it, so tests that build many apps do not stack timers.
 */
let loopDelay: IntervalHistogram | undefined;

/** Starts measuring event-loop delay (idempotent); call at startup so stalls before the first scrape count. */
export function watchEventLoop(): void {
  if (loopDelay) return;
  loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
}

/**
 * How late the loop ran a timer due every 10 ms, since the process started: a summary (p50, p90,
 * p99, p99.9) plus the worst stall. Node records the whole interval, timer period included, so the
 * period is taken off: an idle loop reads ~0, a 200 ms synchronous stretch reads ~0.2 s.
 */
function renderLoopDelay(): string[] {
  watchEventLoop();
  const h = loopDelay!;
  const late = (ns: number): number => (h.count === 0 ? 0 : Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) / 1000);
  const name = 'parley_event_loop_delay_seconds';
  return [
    `# HELP ${name} How late the event loop ran a timer due every ${LOOP_RESOLUTION_MS} ms, since the process started.`,
    `# TYPE ${name} summary`,
    ...[0.5, 0.9, 0.99, 0.999].map((q) => `${name}{quantile="${q}"} ${num(late(h.percentile(q * 100)))}`),
    `${name}_sum ${num(late(h.mean) * h.count)}`,
    `${name}_count ${h.count}`,
    `# TYPE parley_event_loop_delay_max_seconds gauge`,
    `parley_event_loop_delay_max_seconds ${num(late(h.max))}`,
  ];
}

const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'NaN');
const escapeLabel = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function isHistogram(v: unknown): v is HistogramLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as HistogramLike).bounds) && Array.isArray((v as HistogramLike).counts);
}

function metricName(raw: string): string {
  const snake = raw.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `parley_${snake}`;
}
