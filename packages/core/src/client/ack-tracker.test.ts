import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAckTracker } from './ack-tracker.js';

const sv = (entries: Array<[number, number]>): Uint8Array => Y.encodeStateVector(new Map(entries));

it('[P7] marks items below the acked clock as sent, whatever order acks arrive in', () => {
  const acks = createAckTracker();
  acks.merge(sv([[7, 5]]));
  acks.merge(sv([[7, 3]])); // a late ack for an older update never takes anything back
  expect([0, 4, 5].map((clock) => acks.isAcked(7, clock))).toEqual([true, true, false]);
  expect(acks.isAcked(8, 0)).toBe(false);
});

it('calls listeners only when something new is acknowledged', () => {
  const acks = createAckTracker();
  let calls = 0;
  const off = acks.onAck(() => calls++);
  acks.merge(sv([[1, 2]]));
  acks.merge(sv([[1, 2]]));
  acks.merge(sv([[1, 1]]));
  acks.merge(sv([[2, 1]]));
  off();
  acks.merge(sv([[3, 1]]));
  expect(calls).toBe(2);
});

it('restores from its encoded form, so sent survives a reload', () => {
  const acks = createAckTracker();
  acks.merge(sv([[1, 4], [2, 9]]));
  const restored = createAckTracker(acks.encode());
  expect([restored.isAcked(1, 3), restored.isAcked(2, 8), restored.isAcked(2, 9)]).toEqual([true, true, false]);
});
