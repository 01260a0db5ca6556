/**
 * A chaos run's output: named figures, some with a value they must have. The run prints them as a
 * table and writes RESULTS.md; the short tests assert the must-be ones.
 */
export interface Figure {
  scenario: string;
  name: string;
  value: number | string;
  unit?: string;
  /** what the value must be for the product promise to hold; absent = informative only */
  mustBe?: string;
  ok?: boolean;
}

export const figure = (scenario: string, name: string, value: number | string, extra: Omit<Figure, 'scenario' | 'name' | 'value'> = {}): Figure => ({ scenario, name, value, ...extra });

/** A figure that must equal `expected`. */
export const mustEqual = (scenario: string, name: string, value: number, expected: number, unit?: string): Figure =>
  figure(scenario, name, value, { mustBe: String(expected), ok: value === expected, ...(unit ? { unit } : {}) });

/** "x / y" figures that must be all (refused/tried, restored/existed, ...). */
export const mustBeAll = (scenario: string, name: string, got: number, of: number): Figure =>
  figure(scenario, name, `${got} / ${of}`, { mustBe: 'all', ok: got === of && of > 0 });

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const cell = (f: Figure): string => `${typeof f.value === 'number' ? round(f.value) : f.value}${f.unit ? ` ${f.unit}` : ''}`;
const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1));
const verdict = (f: Figure): string => (f.ok === undefined ? '' : f.ok ? 'ok' : 'FAIL');

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.scenario, f.name, cell(f), f.mustBe ?? '', verdict(f)]);
  const head = ['scenario', 'figure', 'value', 'must be', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderMarkdown(figures: readonly Figure[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    '| scenario | figure | value | must be | |',
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${esc(f.scenario)} | ${esc(f.name)} | ${esc(cell(f))} | ${esc(f.mustBe ?? '')} | ${verdict(f)} |`),
  ].join('\n');
}

/** Figures whose must-be does not hold. */
export const failures = (figures: readonly Figure[]): Figure[] => figures.filter((f) => f.ok === false);
