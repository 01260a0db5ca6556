import { expect, it } from 'vitest';
import { createBackoff } from './backoff.js';

it('grows the ceiling exponentially up to the cap', () => {
  const backoff = createBackoff({ initialMs: 100, maxMs: 1000 }, () => 0.999999);
  const delays = Array.from({ length: 7 }, () => backoff.next());
  expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999]);
});

it('spreads delays over the whole range (full jitter)', () => {
  const samples = [0, 0.25, 0.5, 0.75];
  let i = 0;
  const backoff = createBackoff({ initialMs: 1000, maxMs: 1000 }, () => samples[i++ % samples.length]!);
  expect(Array.from({ length: 4 }, () => backoff.next())).toEqual([0, 250, 500, 750]);
});

it('starts over after reset', () => {
  const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 }, () => 0.5);
  backoff.next();
  backoff.next();
  backoff.next();
  expect(backoff.attempts).toBe(3);
  backoff.reset();
  expect(backoff.next()).toBe(50);
});
