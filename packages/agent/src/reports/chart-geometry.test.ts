import { describe, expect, it } from 'vitest';
import { layoutBars, niceMax } from './chart-geometry.js';

describe('bar chart layout', () => {
  it.each([[0, 1], [7, 10], [12, 20], [0.3, 0.5], [100, 100]])('niceMax(%d) = %d', (v, m) => expect(niceMax(v)).toBeCloseTo(m));

  it('scales bars to the tallest and keeps them inside the box', () => {
    const { bars, max } = layoutBars([{ label: 'a', value: 5 }, { label: 'b', value: 10 }], 100, 50);
    expect(max).toBe(10);
    expect(bars[1]).toMatchObject({ y: 0, height: 50 });
    expect(bars[0]).toMatchObject({ y: 25, height: 25 });
    expect(bars.every((b) => b.x >= 0 && b.x + b.width <= 100)).toBe(true);
  });
});
