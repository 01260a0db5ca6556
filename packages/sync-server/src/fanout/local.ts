/**
 * In-process fan-out: several relays in one process (tests, or one process serving many ports)
 * share a bus; each relay gets its own node. A lone node is what a single-process relay uses: its
 * publications reach nobody, which is right when no other relay exists.
 */
import type { FanOut } from './types.js';

export interface LocalBus {
  /** A new participant on the bus: it hears every other node's publications, never its own. */
  node(): FanOut;
}

type Handler = (message: Uint8Array) => void;

export function createLocalBus(): LocalBus {
  /** channel → node → handlers */
  const channels = new Map<string, Map<symbol, Set<Handler>>>();

  return {
    node() {
      const id = Symbol('local fan-out node');
      let closed = false;
      const mine = (channel: string): Set<Handler> => {
        let nodes = channels.get(channel);
        if (!nodes) channels.set(channel, (nodes = new Map()));
        let handlers = nodes.get(id);
        if (!handlers) nodes.set(id, (handlers = new Set()));
        return handlers;
      };
      const forget = (channel: string, handler: Handler): void => {
        const nodes = channels.get(channel);
        const handlers = nodes?.get(id);
        handlers?.delete(handler);
        if (handlers?.size === 0) nodes!.delete(id);
        if (nodes?.size === 0) channels.delete(channel);
      };
      const subscriptions = new Set<[string, Handler]>();

      return {
        async publish(channel, message) {
          if (closed) throw new Error('fan-out node is closed');
          for (const [node, handlers] of channels.get(channel) ?? []) {
            if (node === id) continue;
            for (const handler of handlers) {
              // Delivered later and as a copy, like a network: no re-entrancy, no shared buffers.
              const copy = message.slice();
              queueMicrotask(() => {
                if (channels.get(channel)?.get(node)?.has(handler)) handler(copy);
              });
            }
          }
        },
        async subscribe(channel, onMessage) {
          if (closed) throw new Error('fan-out node is closed');
          const handler: Handler = (message) => onMessage(message);
          mine(channel).add(handler);
          const entry: [string, Handler] = [channel, handler];
          subscriptions.add(entry);
          return async () => {
            subscriptions.delete(entry);
            forget(channel, handler);
          };
        },
        async close() {
          closed = true;
          for (const [channel, handler] of subscriptions) forget(channel, handler);
          subscriptions.clear();
        },
      };
    },
  };
}
