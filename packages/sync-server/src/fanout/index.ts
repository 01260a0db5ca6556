/**
 * Picks the fan-out from configuration: Redis when a URL is given (several relay processes), else a
 * lone in-process node whose publications reach nobody, so the relay code needs no special case.
 */
import { createLocalBus } from './local.js';
import type { RedisFanOutOptions } from './redis.js';
import type { FanOut } from './types.js';

export interface FanOutSpec extends Partial<Omit<RedisFanOutOptions, 'url'>> {
  /** redis://host:port: share documents with other relays; absent: single process */
  redisUrl?: string;
}

export async function openFanOut(spec: FanOutSpec = {}): Promise<FanOut> {
  const { redisUrl, ...rest } = spec;
  if (redisUrl) {
    // Loaded only when configured: `ioredis` is ~300 ms of a cold start that does not use it.
    const { openRedisFanOut } = await import('./redis.js');
    return openRedisFanOut({ ...rest, url: redisUrl });
  }
  return createLocalBus().node();
}

export type { FanOut } from './types.js';
export { FanOutUnavailableError } from './errors.js';
