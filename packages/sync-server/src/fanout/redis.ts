/**
 * Fan-out between relay processes through Redis pub/sub. Messages are binary (Buffers end to end).
 * Each message starts with the publishing node's id so a node drops its own publications: Redis
 * delivers to every subscriber, the publisher included.
 *
 * Pub/sub is at-most-once: what is published while a node is disconnected is lost to it. That is
 * safe because the store is shared and durable; `onResubscribed` tells the relay when to catch up
 * (reload the documents it serves from the store) after a reconnect.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FanOut } from './types.js';
import { FanOutUnavailableError } from './errors.js';

export interface RedisFanOutOptions {
  /** redis://host:port/db */
  url: string;
  /** prefix of every Redis channel (default `parley:`), so deployments and tests can share a server */
  prefix?: string;
  /** called after the subscriber connection came back and its channels are subscribed again */
  onResubscribed?: () => void;
  /** connection trouble, for logs; the connection keeps retrying by itself */
  onError?: (error: Error) => void;
}

const NODE_ID_BYTES = 16;

// Defined apart so that fanout/index.ts can export it without loading ioredis.
export { FanOutUnavailableError };

type Handler = (message: Uint8Array) => void;

export async function openRedisFanOut(options: RedisFanOutOptions): Promise<FanOut & { readonly nodeId: string }> {
  const prefix = options.prefix ?? 'parley:';
  const nodeId = randomBytes(NODE_ID_BYTES);
  const connect = (name: string): Redis => {
    const redis = new Redis(options.url, {
      connectionName: `parley-fanout-${name}-${nodeId.toString('hex').slice(0, 8)}`,
      lazyConnect: true,
      // Keep retrying forever with a capped backoff: a relay outlives a Redis restart.
      retryStrategy: (times) => Math.min(times * 100, 2000),
      // A publish while Redis is away fails fast instead of queueing without bound.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
    });
    redis.on('error', (error: Error) => options.onError?.(error));
    return redis;
  };
  const pub = connect('pub');
  const sub = connect('sub');
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (error) {
    pub.disconnect();
    sub.disconnect();
    throw new FanOutUnavailableError(`cannot reach Redis at ${options.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const handlers = new Map<string, Set<Handler>>();
  const subscribed = new Map<string, Promise<unknown>>();
  let closed = false;
  let everReady = false;

  sub.on('ready', () => {
    // The first 'ready' is the initial connection; later ones follow a reconnect, after which
    // ioredis has already re-issued SUBSCRIBE for every channel (autoResubscribe).
    // The PING's reply comes after Redis processed those SUBSCRIBEs: only then is catching up safe.
    if (everReady) {
      sub.ping().then(
        () => options.onResubscribed?.(),
        () => {},
      );
    }
    everReady = true;
  });
  everReady = sub.status === 'ready';

  sub.on('messageBuffer', (channelBuffer: Buffer, payload: Buffer) => {
    if (payload.byteLength < NODE_ID_BYTES || payload.subarray(0, NODE_ID_BYTES).equals(nodeId)) return;
    const channel = channelBuffer.toString('utf8').slice(prefix.length);
    const message = new Uint8Array(payload.buffer, payload.byteOffset + NODE_ID_BYTES, payload.byteLength - NODE_ID_BYTES);
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });

  const ensureOpen = (): void => {
    if (closed) throw new Error('Redis fan-out is closed');
  };

  return {
    nodeId: nodeId.toString('hex'),
    async publish(channel, message) {
      ensureOpen();
      await pub.publish(prefix + channel, Buffer.concat([nodeId, message]));
    },
    async subscribe(channel, onMessage) {
      ensureOpen();
      let set = handlers.get(channel);
      if (!set) {
        handlers.set(channel, (set = new Set()));
        subscribed.set(channel, sub.subscribe(prefix + channel));
      }
      const handler: Handler = (message) => onMessage(message);
      set.add(handler);
      // Whoever subscribes second still returns only once Redis confirmed the channel.
      await subscribed.get(channel);
      return async () => {
        const current = handlers.get(channel);
        if (!current?.delete(handler) || current.size > 0) return;
        handlers.delete(channel);
        subscribed.delete(channel);
        if (!closed) await sub.unsubscribe(prefix + channel);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
