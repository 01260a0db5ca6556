/**
 * Short version of the network-fault chaos scenario: one round of each fault through the fault
 * proxy, four replicas (three on core's client, one stock y-websocket) writing throughout.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { networkFaults } from './scenarios/network.js';

describe('chaos: network faults through the fault proxy (short)', () => {
  it('[P8] [P9] every replica converges after each fault with no message shown twice', async () => {
    const figures = await networkFaults({ rounds: 5, messagesPerRound: 3, faultMs: 600 }, (line) => console.info(line));
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
  }, 120_000);
});
