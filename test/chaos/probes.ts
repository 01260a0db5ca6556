/**
 * Measuring a relay process from outside: its memory from /proc, its event-loop delay from its own
 * /metrics, and, as a second opinion, /healthz round trips measured client-side (a probe answered
 * late means the relay's loop was busy at least that long, plus the prober's own load).
 */
import { readFileSync } from 'node:fs';
import { percentile } from './figures.js';

/** Resident memory now and the peak since the process started (VmRSS / VmHWM), in MiB. */
export function processMemory(pid: number): { rssMiB: number; peakMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The relay's own event-loop delay since its process started (its /metrics summary), in ms:
 * how late its loop ran a timer due every 10 ms.
 */
export async function relayLoopDelay(url: string): Promise<{ p50: number; p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  const read = (series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    if (!line) throw new Error(`the relay's /metrics has no ${series}`);
    return Number(line.slice(series.length + 1)) * 1000;
  };
  return {
    p50: read('parley_event_loop_delay_seconds{quantile="0.5"}'),
    p99: read('parley_event_loop_delay_seconds{quantile="0.99"}'),
    max: read('parley_event_loop_delay_max_seconds'),
  };
}

export interface StallProbe {
  /** resolves with the round trips (ms) seen so far and stops probing */
  stop(): Promise<{ p50: number; p99: number; worst: number; failed: number; count: number }>;
}

/**
 * Asks /healthz every `everyMs` (one request in flight at a time, so a stalled relay is not piled
 * on) and records each round trip; a request that fails counts as failed, its time as a stall.
 */
export function probeStalls(url: string, everyMs = 25, timeoutMs = 30_000): StallProbe {
  const times: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        if (!res.ok) failed++;
      } catch {
        failed++;
      }
      times.push(performance.now() - started);
      if (running) await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { p50: percentile(times, 50), p99: percentile(times, 99), worst: Math.max(0, ...times), failed, count: times.length };
    },
  };
}

/** Polls `check` until it holds; for conditions with no single event to await (convergence). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A small seeded generator (mulberry32) so every random choice in a run replays from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
