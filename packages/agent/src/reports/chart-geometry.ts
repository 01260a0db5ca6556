/** Bar-chart geometry as plain numbers, so the SVG component only draws and the maths is tested. */

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarLayout {
  bars: Bar[];
  /** y positions and values of the horizontal grid lines */
  ticks: { y: number; value: number }[];
  max: number;
}

/** A "nice" upper bound (1, 2, 5 × 10^n) so axis labels read as round numbers. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  const f = value / exp;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
}

export function layoutBars(data: readonly { label: string; value: number }[], width: number, height: number, gap = 2): BarLayout {
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = data.length === 0 ? 0 : width / data.length;
  const bars = data.map((d, i) => {
    const h = (Math.max(0, d.value) / max) * height;
    return { label: d.label, value: d.value, x: i * slot + gap / 2, y: height - h, width: Math.max(1, slot - gap), height: h };
  });
  const ticks = [0, 0.5, 1].map((f) => ({ y: height - f * height, value: f * max }));
  return { bars, ticks, max };
}
