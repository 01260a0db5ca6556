/**
 * Short version of the storage-trouble scenario: a real full disk (size-limited tmpfs) under the
 * relay's SQLite file, then damaged database files at start.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { storageTrouble } from './scenarios/storage.js';

describe('chaos: storage trouble (short)', () => {
  it('[P12] a full disk stops acks with 4503, reads go on, writes resume when space is back; damaged files are refused by name', async () => {
    const figures = await storageTrouble({ messages: 20 });
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
  }, 120_000);
});
