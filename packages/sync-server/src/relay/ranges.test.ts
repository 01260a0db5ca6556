import { describe, expect, it } from 'vitest';
import { createClockRanges } from './ranges.js';

describe('clock ranges', () => {
  it('merges adjacent and overlapping ranges, in any insertion order', () => {
    const r = createClockRanges();
    r.add(1, 10, 5);
    r.add(1, 0, 3);
    r.add(1, 3, 2);
    r.add(1, 20, 1);
    r.add(1, 4, 8);
    expect(r.prefix(1)).toBe(15);
    expect(r.covers(1, 0, 15)).toBe(true);
    expect(r.covers(1, 14, 2)).toBe(false);
    expect(r.overlaps(1, 15, 5)).toBe(false);
    expect(r.overlaps(1, 15, 6)).toBe(true);
    expect(r.prefix(2)).toBe(0);
  });

  it.each([
    [[[0, 2], [5, 7]], 0, 10, [[2, 5], [7, 10]]],
    [[[0, 10]], 2, 3, []],
    [[], 3, 4, [[3, 7]]],
    [[[4, 6]], 0, 5, [[0, 4]]],
  ] as const)('gaps of %j in [%i, +%i) are %j', (set, clock, len, expected) => {
    const r = createClockRanges();
    for (const [s, e] of set) r.add(7, s, e - s);
    expect(r.gaps(7, clock, len)).toEqual(expected);
  });
});
