/**
 * Sets of Yjs clock ranges per client id, kept sorted and merged. The relay uses them instead of a
 * Y.Doc to remember what it has ([P6] redundant re-uploads), what is deleted, and which items sit
 * under an agent-only root. Inserts at the end (the common case: clocks grow) are O(1).
 */
import * as encoding from 'lib0/encoding';

export interface ClockRanges {
  add(client: number, clock: number, len: number): void;
  /** true when every clock in [clock, clock + len) is in the set */
  covers(client: number, clock: number, len: number): boolean;
  /** true when some clock in [clock, clock + len) is in the set */
  overlaps(client: number, clock: number, len: number): boolean;
  /** The parts of [clock, clock + len) not in the set, as [start, end) pairs. */
  gaps(client: number, clock: number, len: number): [number, number][];
  /** Length of the contiguous prefix starting at clock 0: the Yjs state vector entry. */
  prefix(client: number): number;
  clients(): IterableIterator<number>;
}

/**
 * Index of the first range in `r` whose end >= clock (in range-pair units). `r` is a flat
 * [start, end, start, end, ...] array: compact and cache-friendly.
 */
function firstEndingAtOrAfter(r: number[], clock: number): number {
  let lo = 0;
  let hi = r.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r[mid * 2 + 1]! < clock) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NO_CLIENTS: ReadonlyMap<number, number[]> = new Map();

/**
 * A class with a map made on first use, not a closure factory: every open document holds seven of
 * these, most of them empty, and per-instance closures and an empty Map cost about 650 bytes each,
 * some 4.5 KB per open document (a heap snapshot of 2,000 idle sockets).
 */
class ClockRangeSet implements ClockRanges {
  private byClient: Map<number, number[]> | null = null;

  add(client: number, clock: number, len: number): void {
    if (len <= 0) return;
    const end = clock + len;
    const r = this.byClient?.get(client);
    if (!r) {
      (this.byClient ??= new Map()).set(client, [clock, end]);
      return;
    }
    const n = r.length;
    if (clock > r[n - 1]!) {
      r.push(clock, end);
      return;
    }
    if (clock >= r[n - 2]!) {
      r[n - 1] = Math.max(r[n - 1]!, end);
      return;
    }
    // General case: merge every range touching [clock, end].
    const i = firstEndingAtOrAfter(r, clock);
    let j = i;
    let start = clock;
    let stop = end;
    while (j * 2 < r.length && r[j * 2]! <= end) {
      start = Math.min(start, r[j * 2]!);
      stop = Math.max(stop, r[j * 2 + 1]!);
      j++;
    }
    r.splice(i * 2, (j - i) * 2, start, stop);
  }

  covers(client: number, clock: number, len: number): boolean {
    const r = this.byClient?.get(client);
    if (!r) return len <= 0;
    const i = firstEndingAtOrAfter(r, clock + len);
    return i * 2 < r.length && r[i * 2]! <= clock;
  }

  overlaps(client: number, clock: number, len: number): boolean {
    const r = this.byClient?.get(client);
    if (!r || len <= 0) return false;
    const i = firstEndingAtOrAfter(r, clock + 1);
    return i * 2 < r.length && r[i * 2]! < clock + len;
  }

  gaps(client: number, clock: number, len: number): [number, number][] {
    const end = clock + len;
    const r = this.byClient?.get(client);
    if (!r) return len > 0 ? [[clock, end]] : [];
    const out: [number, number][] = [];
    let at = clock;
    for (let i = firstEndingAtOrAfter(r, clock + 1); i * 2 < r.length && at < end; i++) {
      const start = r[i * 2]!;
      if (start >= end) break;
      if (start > at) out.push([at, start]);
      at = Math.max(at, r[i * 2 + 1]!);
    }
    if (at < end) out.push([at, end]);
    return out;
  }

  prefix(client: number): number {
    const r = this.byClient?.get(client);
    return r && r[0] === 0 ? r[1]! : 0;
  }

  clients(): IterableIterator<number> {
    return (this.byClient ?? NO_CLIENTS).keys();
  }
}

export function createClockRanges(): ClockRanges {
  return new ClockRangeSet();
}

/** The contiguous prefixes of `ranges`, encoded like Y.encodeStateVector. */
export function encodeStateVector(ranges: ClockRanges): Uint8Array {
  const entries: [number, number][] = [];
  for (const client of ranges.clients()) {
    const clock = ranges.prefix(client);
    if (clock > 0) entries.push([client, clock]);
  }
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [client, clock] of entries) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
  }
  return encoding.toUint8Array(e);
}
