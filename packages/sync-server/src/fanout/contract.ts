/**
 * The one behaviour every FanOut must have. Each implementation's test file calls `fanOutContract`
 * with a factory for an isolated cluster (a local bus, or a Redis channel prefix of its own).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FanOut } from './types.js';

export interface FanOutCluster {
  /** A new relay node in this cluster. */
  node(): Promise<FanOut>;
  destroy(): Promise<void>;
}

/** Resolves with the next `count` messages on a channel; fails after a deadline instead of hanging. */
function collect(fanOut: FanOut, channel: string, count: number, ms = 5000): { done: Promise<Uint8Array[]>; ready: Promise<() => Promise<void>> } {
  const got: Uint8Array[] = [];
  let finish!: (messages: Uint8Array[]) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<Uint8Array[]>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timer = setTimeout(() => fail(new Error(`only ${got.length} of ${count} messages on ${channel} within ${ms} ms`)), ms);
  const ready = fanOut.subscribe(channel, (message) => {
    got.push(message.slice());
    if (got.length === count) {
      clearTimeout(timer);
      finish(got);
    }
  });
  return { done, ready };
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

export function fanOutContract(name: string, makeCluster: () => Promise<FanOutCluster>): void {
  describe(`FanOut contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    async function nodes(count: number): Promise<FanOut[]> {
      const cluster = await makeCluster();
      cleanups.push(() => cluster.destroy());
      const out: FanOut[] = [];
      for (let i = 0; i < count; i++) {
        const node = await cluster.node();
        cleanups.push(() => node.close());
        out.push(node);
      }
      return out;
    }

    it('delivers binary messages byte for byte to every other node, never back to the publisher', async () => {
      const [a, b, c] = await nodes(3);
      const echo: Uint8Array[] = [];
      await a!.subscribe('doc/1', (m) => echo.push(m));
      const atB = collect(b!, 'doc/1', 2);
      const atC = collect(c!, 'doc/1', 2);
      await Promise.all([atB.ready, atC.ready]);
      // Zero bytes, 0xff and invalid UTF-8 must survive: Yjs updates are arbitrary bytes.
      const first = bytes(0, 255, 0xc3, 0x28, 0, 1, 2);
      const second = bytes(0xf0, 0x28, 0x8c, 0x28);
      await a!.publish('doc/1', first);
      await a!.publish('doc/1', second);
      for (const got of [await atB.done, await atC.done]) {
        expect(got.map((m) => Array.from(m))).toEqual([Array.from(first), Array.from(second)]);
      }
      // b's publication reaches a, and by then a's own two would have arrived had they echoed.
      const atA = collect(a!, 'doc/1', 1);
      await atA.ready;
      await b!.publish('doc/1', bytes(7));
      expect((await atA.done).map((m) => Array.from(m))).toEqual([[7]]);
      expect(echo.map((m) => Array.from(m))).toEqual([[7]]);
    });

    it('keeps channels apart and one publisher\'s order', async () => {
      const [a, b] = await nodes(2);
      const other: Uint8Array[] = [];
      await b!.subscribe('doc/other', (m) => other.push(m));
      const wanted = collect(b!, 'doc/wanted', 50);
      await wanted.ready;
      for (let i = 0; i < 50; i++) await a!.publish('doc/wanted', bytes(i));
      expect((await wanted.done).map((m) => m[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(other).toEqual([]);
    });

    it('stops delivering to an unsubscribed handler and keeps the others', async () => {
      const [a, b] = await nodes(2);
      const dropped: Uint8Array[] = [];
      const unsubscribe = await b!.subscribe('doc/u', (m) => dropped.push(m));
      const kept = collect(b!, 'doc/u', 2);
      const firstArrived = collect(b!, 'doc/u', 1);
      await Promise.all([kept.ready, firstArrived.ready]);
      await a!.publish('doc/u', bytes(1));
      await firstArrived.done;
      await unsubscribe();
      await a!.publish('doc/u', bytes(2));
      // Once the handler still subscribed has the second message, the dropped one would have it too.
      await kept.done;
      expect(dropped.map((m) => Array.from(m))).toEqual([[1]]);
    });

    it('carries a 1 MB message', async () => {
      const [a, b] = await nodes(2);
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
      const got = collect(b!, 'doc/big', 1);
      await got.ready;
      await a!.publish('doc/big', big);
      expect(Buffer.from((await got.done)[0]!).equals(Buffer.from(big))).toBe(true);
    });

    it('keeps working for the others when one node closes', async () => {
      const [a, b, c] = await nodes(3);
      await b!.subscribe('doc/c', () => {});
      await b!.close();
      const atC = collect(c!, 'doc/c', 1);
      await atC.ready;
      await a!.publish('doc/c', bytes(9));
      expect((await atC.done).map((m) => Array.from(m))).toEqual([[9]]);
      await expect(b!.publish('doc/c', bytes(1))).rejects.toThrow();
    });
  });
}
