/**
 * The small conversions behind the settings screen's quick actions and attachment limit, kept
 * out of the Lit component so they can be tested without a browser. Validity itself is core's
 * (`quickActionsProblem`, `attachmentLimitProblem`): the screen shows core's sentence.
 */

export const BYTES_PER_MB = 1024 * 1024;

/** The limit as the MB figure the input shows: at most two decimals, no trailing zeros. */
export function bytesToMb(bytes: number): string {
  return String(Math.round((bytes / BYTES_PER_MB) * 100) / 100);
}

/**
 * Bytes for what the admin typed, or NaN when it is not a number: core then refuses it with its
 * range sentence, so the screen has one wording for every bad value.
 */
export function mbToBytes(text: string): number {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '' || !/^\d*(\.\d*)?$/.test(trimmed)) return Number.NaN;
  return Math.round(Number(trimmed) * BYTES_PER_MB);
}

/** A copy of `items` with item `from` moved by `by` places; out-of-range moves change nothing. */
export function moveItem<T>(items: readonly T[], from: number, by: number): T[] {
  const to = from + by;
  const out = [...items];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}
