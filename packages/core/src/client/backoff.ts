/**
 * Reconnect delays: exponential with full jitter (a uniformly random delay between 0 and the
 * exponential ceiling), so that thousands of clients dropped by one relay restart do not come back
 * in lockstep. The attempt count resets only after a connection has stayed up for `stableMs`,
 * so a relay that accepts and immediately drops sockets still gets backed off from.
 */
export interface BackoffOptions {
  /** ceiling of the first retry's delay, ms (default 500) */
  initialMs?: number;
  /** largest ceiling, ms (default 30 000) */
  maxMs?: number;
  /** how long a connection must stay up before the next failure starts from the beginning (default 10 000) */
  stableMs?: number;
}

export interface Backoff {
  /** the delay before the next attempt; counts the attempt */
  next(): number;
  reset(): void;
  readonly attempts: number;
  readonly stableMs: number;
}

export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  let attempts = 0;
  return {
    next() {
      const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempts, 30));
      attempts++;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
    stableMs: options.stableMs ?? 10_000,
  };
}
