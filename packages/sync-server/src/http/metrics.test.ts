import { afterEach, describe, expect, it } from 'vitest';
import { createLoopWatch, type LoopWatch } from './metrics.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number): void => {
  const t0 = performance.now();
  while (performance.now() - t0 < ms);
};
const figure = (watch: LoopWatch, series: string): number => {
  const line = watch.render().find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no ${series}`);
  return Number(line.split(' ')[1]);
};

describe('event-loop watch', () => {
  let watch: LoopWatch | undefined;
  afterEach(() => watch?.stop());

  it('stops its sampling timer once nothing arrives for the quiet period, and starts again with the next frame', async () => {
    watch = createLoopWatch({ resolutionMs: 10, quietMs: 100 });
    expect(watch.sampling).toBe(true);
    await sleep(350);
    expect(watch.sampling).toBe(false);
    const countWhenPaused = figure(watch, 'parley_event_loop_delay_seconds_count');
    expect(countWhenPaused).toBeGreaterThan(0);
    await sleep(200);
    // Nothing sampled while paused: an idle relay is not woken 100 times a second.
    expect(figure(watch, 'parley_event_loop_delay_seconds_count')).toBe(countWhenPaused);
    watch.noteActivity();
    expect(watch.sampling).toBe(true);
    await sleep(60);
    expect(figure(watch, 'parley_event_loop_delay_seconds_count')).toBeGreaterThan(countWhenPaused);
  });

  it('does not report the quiet time between two sampling periods as a stall', async () => {
    watch = createLoopWatch({ resolutionMs: 10, quietMs: 50 });
    await sleep(400); // paused after 50-100 ms, then quiet for the rest
    expect(watch.sampling).toBe(false);
    watch.noteActivity();
    await sleep(60);
    // A single monitor disabled and enabled again would read the ~300 ms pause as its worst delay.
    expect(figure(watch, 'parley_event_loop_delay_max_seconds')).toBeLessThan(0.1);
  });

  it('keeps a stall seen in an earlier sampling period after pausing', async () => {
    watch = createLoopWatch({ resolutionMs: 10, quietMs: 100 });
    await sleep(30);
    busy(150);
    await sleep(30);
    expect(figure(watch, 'parley_event_loop_delay_max_seconds')).toBeGreaterThanOrEqual(0.13);
    await sleep(300);
    expect(watch.sampling).toBe(false);
    expect(figure(watch, 'parley_event_loop_delay_max_seconds')).toBeGreaterThanOrEqual(0.13);
  });
});
