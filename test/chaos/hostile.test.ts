/**
 * Short version of the hostile-input scenario: small seeded fuzz, every poison file, a 100 MiB
 * frame, slow consumers, 100,000 document names and a pre-authentication flood, while an honest
 * customer and agent keep chatting. Replay a failure with SEED=<n>.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { hostileInput } from './scenarios/hostile.js';

const seed = Number(process.env.SEED ?? 7);

describe('chaos: hostile input (short)', () => {
  it('[P1] [P10] the relay neither crashes nor drops an honest message under attack', async () => {
    const figures = await hostileInput({ seed, fuzzFrames: 300, slowConsumers: 5, documentNames: 100_000, preAuthConnections: 60, hugeFrame: true }, (line) => console.info(line));
    console.info(`seed ${seed} (replay: SEED=${seed} npx vitest run test/chaos/hostile.test.ts)`);
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
  }, 150_000);
});
