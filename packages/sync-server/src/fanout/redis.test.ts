/** What only Redis fan-out has: a connection that can drop and come back. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { probeRedis, redisUrl } from '../storage/service-probe.js';
import { FanOutUnavailableError, openRedisFanOut } from './redis.js';
import type { FanOut } from './types.js';

const redis = await probeRedis();

describe.skipIf(!redis.available)('Redis fan-out', () => {
  const open: FanOut[] = [];
  const admins: Redis[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
    for (const admin of admins.splice(0)) admin.disconnect();
  });

  it('fails to open with a clear error naming the address when Redis is unreachable', async () => {
    const opening = openRedisFanOut({ url: 'redis://:hunter2@127.0.0.1:1', onError: () => {} });
    await expect(opening).rejects.toThrow(FanOutUnavailableError);
    await expect(opening).rejects.toThrow(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
  });

  it('resubscribes after its connection is killed, tells the relay, and delivers again', async () => {
    const prefix = `parley-test:${randomUUID()}:`;
    let resubscribed!: () => void;
    const resubscribedOnce = new Promise<void>((resolve) => (resubscribed = resolve));
    const listener = await openRedisFanOut({ url: redisUrl, prefix, onResubscribed: () => resubscribed(), onError: () => {} });
    const publisher = await openRedisFanOut({ url: redisUrl, prefix });
    open.push(listener, publisher);
    const received: number[] = [];
    let notify = (): void => {};
    await listener.subscribe('doc/r', (m) => {
      received.push(m[0]!);
      notify();
    });

    const admin = new Redis(redisUrl);
    admins.push(admin);
    // Only this node's subscriber connection: other suites may share the Redis server.
    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = clients.split('\n').find((l) => l.includes(`name=parley-fanout-sub-${listener.nodeId.slice(0, 8)}`));
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();
    expect(Number(await admin.client('KILL', 'ID', id!))).toBe(1);
    await resubscribedOnce;

    const arrived = new Promise<void>((resolve) => (notify = resolve));
    await publisher.publish('doc/r', new Uint8Array([42]));
    await arrived;
    expect(received).toEqual([42]);
  });
});
