import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './work-queue.js';

describe('work queue', () => {
  it('runs each key once at a time, once more when pushed while running, and never above the concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runs: string[] = [];
    const gates = new Map<string, () => void>();
    const queue = createWorkQueue({
      concurrency: 2,
      perSecond: 1000,
      run: async (key) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        runs.push(key);
        await new Promise<void>((done) => gates.set(key, done));
        inFlight--;
      },
      onError: () => undefined,
    });
    for (const k of ['a', 'b', 'c', 'a', 'a']) queue.push(k);
    expect(runs).toEqual(['a', 'b']);
    gates.get('a')!();
    await new Promise((r) => setImmediate(r));
    gates.get('b')!();
    await new Promise((r) => setImmediate(r));
    gates.get('c')!();
    gates.get('a')!();
    await queue.idle();
    expect(runs.sort()).toEqual(['a', 'a', 'b', 'c']);
    expect(maxInFlight).toBe(2);
  });

  it('starts no more than perSecond jobs within a second', async () => {
    const started: number[] = [];
    const queue = createWorkQueue({ concurrency: 10, perSecond: 3, run: async () => void started.push(Date.now()), onError: () => undefined });
    for (let i = 0; i < 5; i++) queue.push(`k${i}`);
    expect(started).toHaveLength(3);
    await queue.idle();
    expect(started).toHaveLength(5);
    expect(started[3]! - started[0]!).toBeGreaterThanOrEqual(900);
  });

  it('reports a failing job and carries on', async () => {
    const errors: string[] = [];
    const queue = createWorkQueue({ concurrency: 1, perSecond: 100, run: async (k) => { if (k === 'bad') throw new Error('boom'); }, onError: (k) => errors.push(k) });
    queue.push('bad');
    queue.push('good');
    await queue.idle();
    expect(errors).toEqual(['bad']);
  });
});
