/**
 * Short version of the stranded-connections scenario: two connections go dead without a close
 * (the fault proxy drops everything and tells neither end); each message sent into one is
 * acknowledged over a new connection, once, and the relay terminates the dead socket itself.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { strandedConnections } from './scenarios/stranded.js';

describe('chaos: connections that die without a close (short)', () => {
  it('[P7] [P9] a message sent into a dead connection is acknowledged over a new one, once; the relay drops the dead socket', async () => {
    const figures = await strandedConnections({ rounds: 2, answerTimeoutMs: 1_000, heartbeatMs: 600 }, (line) => console.info(line));
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
    // Soon, against TCP's many minutes: the socket is replaced once a whole answer period passes in
    // silence (one to two periods after the send), then a reconnect within the 50-500 ms backoff.
    const worst = figures.find((f) => f.name.endsWith('acknowledged, max'))!.value as number;
    expect(worst).toBeLessThan(2 * 1_000 + 2_000);
  }, 60_000);
});
