/**
 * Fixed-window counters keyed by anything (an IP, a pairing code). In memory, per process: enough
 * to make guessing codes or passwords hopeless; a deployment behind a load balancer multiplies the
 * budget by the number of relays, which keeps the same order of magnitude.
 */
import { HttpError } from './errors.js';

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Counts one attempt for `key`; throws HttpError 429 (with Retry-After) when over the limit. */
  take(key: string, now?: number): void;
}

export function createRateLimiter({ limit, windowMs }: RateLimit, what = 'requests'): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, now = Date.now()) {
      // Bound memory under a flood of distinct keys: drop windows that have ended.
      if (windows.size > 10_000) for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      if (w.count > limit) {
        const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
        throw new HttpError('rate_limited', `too many ${what}; retry in ${retryAfter} s`, { 'Retry-After': String(retryAfter) });
      }
    },
  };
}
