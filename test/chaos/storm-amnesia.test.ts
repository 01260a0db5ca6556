/**
 * Short versions of the reconnect storm (200 clients, two client processes) and relay amnesia scenarios.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { reconnectStorm } from './scenarios/storm.js';
import { relayAmnesia } from './scenarios/amnesia.js';

const show = (figures: { name: string; value: unknown; mustBe?: string }[]): void =>
  console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));

describe('chaos: reconnect storm and relay amnesia (short)', () => {
  it('[P9] 200 clients in two processes reconnecting at once after a restart all re-sync and get their offline message acknowledged', async () => {
    const figures = await reconnectStorm({ clients: 200, clientsPerProcess: 100, resyncTimeoutMs: 60_000 }, (line) => console.info(line));
    show(figures);
    expect(failures(figures)).toEqual([]);
  }, 120_000);

  it('[P9] a relay that lost its data folder gets every document back from the clients', async () => {
    const figures = await relayAmnesia({ documents: 10, messagesPerDocument: 5 });
    show(figures);
    expect(failures(figures)).toEqual([]);
  }, 120_000);
});
