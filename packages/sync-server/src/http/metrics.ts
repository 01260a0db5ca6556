/**
 * Prometheus text exposition of the relay's figures (relay/metrics.ts: plain numbers, `{key:
 * number}` records and cumulative histograms) plus process figures. Names are snake_cased and
 * prefixed `parley_`; a record becomes one labelled series per key.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

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
  lines.push(...watchEventLoop().render());
  return lines.join('\n') + '\n';
}

const LOOP_RESOLUTION_MS = 10;
/**
 * How long after the last frame or request the monitor keeps sampling. Its 10 ms timer is the one
 * thing that woke an idle relay: 100 wake-ups a second cost ~30 ms of CPU per second on this
 * machine with 5,000 idle sockets, 6 µs per connection per second, three times the relay's whole
 * idle budget (bench workload 8). Stalls matter while someone is being served; a relay with no
 * traffic sleeps.
 */
const LOOP_QUIET_MS = 2000;

export interface LoopWatch {
  /** A frame or request arrived: sample the loop from now on (cheap enough to call per frame). */
  noteActivity(): void;
  /** Whether the 10 ms sampling timer is running now. */
  readonly sampling: boolean;
  render(): string[];
  stop(): void;
}

/**
 * Event-loop delay while the relay serves traffic: a timer due every `resolutionMs` records how
 * long each of its intervals really took. Not `monitorEventLoopDelay`: that one, disabled for a
 * quiet minute and enabled again, records the minute as a single stall, and its histogram cannot
 * be folded into another.
 */
export function createLoopWatch(options: { resolutionMs?: number; quietMs?: number } = {}): LoopWatch {
  const resolutionMs = options.resolutionMs ?? LOOP_RESOLUTION_MS;
  const quietMs = options.quietMs ?? LOOP_QUIET_MS;
  const intervals = createHistogram();
  let sampler: NodeJS.Timeout | null = null;
  let quietCheck: NodeJS.Timeout | null = null;
  let last = 0;
  let activity = 0;
  let seen = 0;
  let stopped = false;

  const pause = (): void => {
    if (sampler) clearInterval(sampler);
    if (quietCheck) clearInterval(quietCheck);
    sampler = quietCheck = null;
  };

  const resume = (): void => {
    if (sampler || stopped) return;
    last = performance.now();
    sampler = setInterval(() => {
      const now = performance.now();
      intervals.record(Math.max(1, Math.round((now - last) * 1e6)));
      last = now;
    }, resolutionMs);
    seen = activity;
    quietCheck = setInterval(() => {
      if (activity === seen) pause();
      seen = activity;
    }, quietMs);
    sampler.unref();
    quietCheck.unref();
  };

  // On from the start: a slow boot or a stall before the first frame counts too.
  resume();

  return {
    noteActivity() {
      activity++;
      if (!sampler) resume();
    },
    get sampling() {
      return sampler !== null;
    },
    render: () => renderLoopDelay(intervals, resolutionMs),
    stop() {
      pause();
      stopped = true;
    },
  };
}

/**
 * The event loop belongs to the process, like its memory: one watch per process, whichever app
 * instance started it, so tests that build many apps do not stack timers.
 */
let processWatch: LoopWatch | undefined;

/** Starts measuring event-loop delay (idempotent); call at startup so stalls before the first frame count. */
export function watchEventLoop(): LoopWatch {
  processWatch ??= createLoopWatch();
  return processWatch;
}

/** For the socket and HTTP paths: something arrived, so the loop's delay is worth sampling. */
export function noteActivity(): void {
  processWatch?.noteActivity();
}

/**
 * How late the loop ran a timer due every 10 ms while it served traffic: a summary (p50, p90, p99,
 * p99.9) plus the worst stall. Each whole interval is recorded, timer period included, so the
 * period is taken off: an idle loop reads ~0, a 200 ms synchronous stretch reads ~0.2 s.
 */
function renderLoopDelay(h: RecordableHistogram, resolutionMs: number): string[] {
  const late = (ns: number): number => (h.count === 0 ? 0 : Math.max(0, ns / 1e6 - resolutionMs) / 1000);
  const name = 'parley_event_loop_delay_seconds';
  return [
    `# HELP ${name} How late the event loop ran a timer due every ${resolutionMs} ms while the relay served traffic, since the process started.`,
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
