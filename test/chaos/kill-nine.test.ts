/**
 * Short version of the kill -9 chaos scenario (the full one is `npm run test:chaos`): three kills of a
 * real relay process under a steady write load. [P7] nothing acknowledged is lost; [P9] what was not
 * acknowledged is re-sent on reconnect and stored once.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { killNine } from './scenarios/kill-nine.js';

const seed = Number(process.env.SEED ?? 1);

describe('chaos: kill -9 under load (short)', () => {
  it('[P7] [P9] loses no acknowledged message across 3 kills and re-sends every unacknowledged one', async () => {
    const figures = await killNine({ kills: 3, writers: 3, sendEveryMs: 20, seed }, (line) => console.info(line));
    console.info(`seed ${seed} (replay: SEED=${seed} npx vitest run test/chaos/kill-nine.test.ts)`);
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
  }, 120_000);
});
