/**
 * Stand-ins for the two browser facilities Node 20 lacks or cannot schedule: Web Locks (one holder
 * per name, the next waiter gets it on release, as `navigator.locks.request` does) and a
 * BroadcastChannel hub whose deliveries a seeded generator picks, so tab handoffs replay exactly.
 * Each sender's messages stay in order, as the browser's channel keeps them.
 */
import type { ChannelLike, LockManagerLike, TabMessage } from '@parley/core/browser';

export function createLocks(): LockManagerLike {
  const queues = new Map<string, Array<() => void>>();
  return {
    request(name, callback) {
      return new Promise((resolve) => {
        const run = (): void => {
          void callback().finally(() => {
            const queue = queues.get(name)!;
            queue.shift();
            if (queue.length > 0) queue[0]!();
            else queues.delete(name);
            resolve(undefined);
          });
        };
        const queue = queues.get(name);
        if (queue) queue.push(run);
        else {
          queues.set(name, [run]);
          run();
        }
      });
    },
  };
}

export interface ChannelHub {
  open(name: string): ChannelLike;
  /** delivers one queued message; false when none is queued */
  step(random: () => number): boolean;
  pending(): number;
}

export function createChannelHub(): ChannelHub {
  interface End extends ChannelLike {
    name: string;
    closed: boolean;
    /** per sender: messages waiting for this end */
    inbox: Map<End, TabMessage[]>;
  }
  const ends = new Set<End>();
  return {
    open(name) {
      const end: End = {
        name,
        closed: false,
        inbox: new Map(),
        onmessage: null,
        postMessage(message) {
          if (end.closed) return;
          for (const other of ends) {
            if (other === end || other.name !== name) continue;
            let queue = other.inbox.get(end);
            if (!queue) other.inbox.set(end, (queue = []));
            queue.push(structuredClone(message));
          }
        },
        close() {
          end.closed = true;
          ends.delete(end);
        },
      };
      ends.add(end);
      return end;
    },
    step(random) {
      const ready: Array<[End, TabMessage[]]> = [];
      for (const end of ends) for (const queue of end.inbox.values()) if (queue.length > 0) ready.push([end, queue]);
      if (ready.length === 0) return false;
      const [end, queue] = ready[Math.floor(random() * ready.length)]!;
      end.onmessage?.({ data: queue.shift()! });
      return true;
    },
    pending() {
      let n = 0;
      for (const end of ends) for (const queue of end.inbox.values()) n += queue.length;
      return n;
    },
  };
}
