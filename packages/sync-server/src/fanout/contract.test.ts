/** Runs the FanOut contract against the in-process bus and Redis (REDIS_URL). */
import { randomUUID } from 'node:crypto';
import { probeRedis, redisUrl } from '../storage/service-probe.js';
import { fanOutContract } from './contract.js';
import { createLocalBus } from './local.js';
import { openRedisFanOut } from './redis.js';

fanOutContract('local', async () => {
  const bus = createLocalBus();
  return { node: async () => bus.node(), destroy: async () => {} };
});

const redis = await probeRedis();

if (redis.available) {
  fanOutContract('redis', async () => {
    // A channel prefix per test: parallel runs sharing one Redis never hear each other.
    const prefix = `parley-test:${randomUUID()}:`;
    return { node: () => openRedisFanOut({ url: redisUrl, prefix }), destroy: async () => {} };
  });
}
