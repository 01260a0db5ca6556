/**
 * One open document, held thin: its update log, plus the bookkeeping [P6] needs, maintained
 * incrementally from each update's summary so that no incoming update costs O(document).
 *
 * The log is kept short without merging the whole document each time: Y.mergeUpdates re-encodes
 * every struct, ~150 ms for a 10,000-message conversation, and that ran on the relay's thread every
 * few hundred updates and again for the first device to open the document after them. So the log
 * is usually a large merged head and a short tail; `tidy()` merges the tail alone (O(tail)) and the
 * head only once the tail has grown to half its size, which keeps merging amortised O(1) per byte.
 * Peers are answered with the parts (`diffParts`), which a Yjs client applies in any order.
 */
import * as Y from 'yjs';
import { AGENT_ONLY_ROOTS, ConversationRoot } from '@parley/core';
import type { ParsedDocName } from '@parley/core';
import { createClockRanges, encodeStateVector } from './ranges.js';
import type { ClockRanges } from './ranges.js';
import { inspectUpdate } from './inspect.js';
import type { StructSummary, UpdateSummary } from './inspect.js';

const MESSAGE_ROOTS: readonly string[] = [ConversationRoot.messages];

/** Ids an update was positioned against that the document lacked, kept to notice when they arrive (a forged update can name any). */
const MAX_MISSING = 64;
/**
 * Classifying the whole document again is O(document): a writer that sends an update before the
 * one it builds on, again and again, gets it at most this often (honest clients never do; it is
 * for logs stored out of order, see `add`).
 */
const RECLASSIFY_EVERY_MS = 10_000;

/** A reply of a few frames costs less than merging them into one first. */
const MAX_REPLY_PARTS = 8;
/**
 * A tail this large that is also half the head's size is tidied at once, not after so many entries:
 * the next device to open the document would otherwise wait for it (an offline backlog, a document
 * written in big steps).
 */
const LARGE_TAIL_BYTES = 64 * 1024;

export interface ThinDoc {
  readonly name: string;
  readonly parsed: ParsedDocName;
  /** client id → principal key, from the store and extended as updates commit (or are reserved) */
  readonly owners: Map<number, string>;
  /** clock ranges the relay has committed, per client */
  readonly have: ClockRanges;
  /** clock ranges deleted by committed updates */
  readonly deleted: ClockRanges;
  /** items (conversation documents) under an agent-only root, so customers cannot write beside them */
  readonly agentOnly: ClockRanges;
  /** the message items themselves (elements of the root `messages` array of a conversation) */
  readonly messageItems: ClockRanges;
  /** values naming who wrote (`author`, `createdBy`) and the values that overwrote them */
  readonly authorValues: ClockRanges;
  /** encoded bytes held in memory */
  readonly bytes: number;
  readonly logLength: number;
  /** Adds a committed update. `summary` must be `inspectUpdate(update)`. */
  add(update: Uint8Array, summary: UpdateSummary): void;
  /** The whole document as one update (merges the log if needed; the log becomes that update). */
  merged(): Uint8Array;
  /** Whether `tidy` is due: `maxEntries` in the log, or a large tail (LARGE_TAIL_BYTES). */
  wantsTidy(maxEntries: number): boolean;
  /** Merges the log's tail, and the whole log once the tail is half the head's size (see above). */
  tidy(): void;
  /**
   * What a peer with state vector `sv` lacks, as one or more updates (the log's parts); the last
   * is never left out, even empty, so a reply always has a step 2.
   */
  diffParts(sv: Uint8Array): Uint8Array[];
  /** The relay's state vector, encoded like Y.encodeStateVector. */
  stateVector(): Uint8Array;
  /** true when the update holds no struct range and no delete the relay does not already have */
  isRedundant(summary: UpdateSummary): boolean;
  /** Structs of `summary` that land under an agent-only root (following origins within the update too). */
  agentOnlyStructs(summary: UpdateSummary): boolean[];
  /** Structs of `summary` that are elements of the root `messages` array. */
  messageStructs(summary: UpdateSummary): boolean[];
  /** Structs of `summary` that are author values: under such a key, or overwriting one (following origins within the update too). */
  authorStructs(summary: UpdateSummary): boolean[];
}

const refsOf = (s: StructSummary, nested: boolean): Y.ID[] => (nested && s.parentItem ? [...s.refs, s.parentItem] : s.refs);

/** Finds the struct of this update that holds an id (its index, or -1): refs into the same update resolve by binary search. */
function localIndex(summary: UpdateSummary): (id: Y.ID) => number {
  const byClient = new Map<number, number[]>();
  summary.structs.forEach((s, i) => {
    const list = byClient.get(s.client);
    if (list) list.push(i);
    else byClient.set(s.client, [i]);
  });
  for (const list of byClient.values()) list.sort((a, b) => summary.structs[a]!.clock - summary.structs[b]!.clock);
  return (id) => {
    const list = byClient.get(id.client);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = summary.structs[list[mid]!]!;
      if (id.clock < s.clock) hi = mid - 1;
      else if (id.clock >= s.clock + s.len) lo = mid + 1;
      else return list[mid]!;
    }
    return -1;
  };
}

/**
 * Which structs sit directly under one of `roots`: those naming the root as parent, and those
 * positioned next to (origin, right origin) or nested in an item already known to (`known`) or
 * found in this update to be under it. Items that name no parent inherit their origin's.
 */
function structsUnder(summary: UpdateSummary, roots: readonly string[], known: ClockRanges, nested: boolean): boolean[] {
  const n = summary.structs.length;
  const result = new Array<boolean>(n).fill(false);
  const findLocal = localIndex(summary);
  // 0 unknown, 1 visiting, 2 done. Iterative DFS: an adversarial chain cannot blow the stack,
  // and a cycle (only possible in a forged update) resolves as "not agent-only" for the cut edge.
  const state = new Uint8Array(n);
  for (let start = 0; start < n; start++) {
    if (state[start] === 2) continue;
    const stack = [start];
    while (stack.length > 0) {
      const i = stack[stack.length - 1]!;
      const s = summary.structs[i]!;
      if (state[i] === 0) {
        state[i] = 1;
        if (s.parentRoot !== null) {
          result[i] = roots.includes(s.parentRoot);
        } else {
          for (const ref of refsOf(s, nested)) {
            if (known.overlaps(ref.client, ref.clock, 1)) result[i] = true;
            else {
              const j = findLocal(ref);
              if (j >= 0 && state[j] === 0) stack.push(j);
            }
          }
        }
        continue;
      }
      stack.pop();
      if (state[i] === 1) {
        if (!result[i]) {
          for (const ref of refsOf(s, nested)) {
            const j = findLocal(ref);
            if (j >= 0 && result[j]) result[i] = true;
          }
        }
        state[i] = 2;
      }
    }
  }
  return result;
}

/**
 * A map value overwriting another names no key, only the value it replaces (its origin), so an
 * author value is one under an author key or one whose origin is an author value, known or in
 * this update. Each struct is resolved once (chains are followed with memo; a forged cycle ends
 * as "not an author value", which then simply is not shown as one: readers see no author).
 */
function authorStructsOf(summary: UpdateSummary, authorValues: ClockRanges): boolean[] {
  const n = summary.structs.length;
  const result = new Array<boolean>(n).fill(false);
  const findLocal = localIndex(summary);
  const resolved = new Uint8Array(n); // 0 unknown, 1 on the current chain, 2 done
  for (let start = 0; start < n; start++) {
    const chain: number[] = [];
    let i = start;
    let verdict = false;
    while (resolved[i] === 0) {
      resolved[i] = 1;
      chain.push(i);
      const s = summary.structs[i]!;
      if (s.authorKey) {
        verdict = true;
        break;
      }
      if (!s.mapValue || s.origin === null) break;
      if (authorValues.overlaps(s.origin.client, s.origin.clock, 1)) {
        verdict = true;
        break;
      }
      const j = findLocal(s.origin);
      if (j < 0) break;
      if (resolved[j] === 2) {
        verdict = result[j]!;
        break;
      }
      i = j; // resolved[j] === 1 is a cycle: the loop ends with verdict false
    }
    for (const k of chain) {
      result[k] = verdict;
      resolved[k] = 2;
    }
  }
  return result;
}

/** Only conversations have message, agent-only and author items. */
const noStructs = (summary: UpdateSummary): boolean[] => new Array<boolean>(summary.structs.length).fill(false);

function holdsAny(have: ClockRanges, sv: Uint8Array): boolean {
  for (const [client, clock] of Y.decodeStateVector(sv)) if (clock > 0 && have.overlaps(client, 0, clock)) return true;
  return false;
}

/**
 * A class, not a closure factory: every open document is one of these, and the factory's twenty
 * closures and their context cost about 3 KB per document (a heap snapshot of 2,000 idle sockets,
 * one document each); methods on the prototype cost nothing per document.
 */
class ThinDocument implements ThinDoc {
  readonly have = createClockRanges();
  readonly deleted = createClockRanges();
  readonly agentOnly = createClockRanges();
  readonly messageItems = createClockRanges();
  readonly authorValues = createClockRanges();
  private log: Uint8Array[] = [];
  private logBytes = 0;
  private readonly isConversation: boolean;
  /** ids this document lacked when an update was positioned against them (see `add`) */
  private missing: Y.ID[] = [];
  private reclassifiedAt = -Infinity;

  constructor(
    readonly name: string,
    readonly parsed: ParsedDocName,
    readonly owners: Map<number, string>,
  ) {
    this.isConversation = parsed.kind === 'conversation';
  }

  get bytes(): number {
    return this.logBytes;
  }

  get logLength(): number {
    return this.log.length;
  }

  // Everything nested anywhere under an agent-only root is agent-only; a message item is only a
  // direct element of `messages` (what is inside a message is its author's business, not a deletion).
  agentOnlyStructs(summary: UpdateSummary): boolean[] {
    return this.isConversation ? structsUnder(summary, AGENT_ONLY_ROOTS, this.agentOnly, true) : noStructs(summary);
  }

  messageStructs(summary: UpdateSummary): boolean[] {
    return this.isConversation ? structsUnder(summary, MESSAGE_ROOTS, this.messageItems, false) : noStructs(summary);
  }

  authorStructs(summary: UpdateSummary): boolean[] {
    return this.isConversation ? authorStructsOf(summary, this.authorValues) : noStructs(summary);
  }

  add(update: Uint8Array, summary: UpdateSummary): void {
    this.classify(summary);
    this.noteMissing(summary);
    for (const [client, clock, len] of summary.deletes) this.deleted.add(client, clock, len);
    this.log.push(update);
    this.logBytes += update.byteLength;
    if (
      this.missing.length > 0 &&
      performance.now() - this.reclassifiedAt >= RECLASSIFY_EVERY_MS &&
      this.missing.some((id) => this.have.overlaps(id.client, id.clock, 1))
    ) {
      this.missing = this.missing.filter((id) => !this.have.overlaps(id.client, id.clock, 1));
      this.reclassifiedAt = performance.now();
      // An update that came before one it builds on was classified without it: its message,
      // agent-only and author items would stay unknown, and a customer's next message beside
      // such an item would be refused as a foreign edit for good. Rare (an append that failed
      // and was resent after a later one landed, a log stored in that order), so the whole
      // document is classified again, where every reference resolves.
      this.classify(inspectUpdate(this.merged(), true));
    }
  }

  merged(): Uint8Array {
    if (this.log.length === 0) return Y.mergeUpdates([]);
    if (this.log.length > 1) {
      const one = Y.mergeUpdates(this.log);
      this.log = [one];
      this.logBytes = one.byteLength;
    }
    return this.log[0]!;
  }

  wantsTidy(maxEntries: number): boolean {
    return this.log.length >= maxEntries || (this.tailBytes() >= LARGE_TAIL_BYTES && this.tailIsHalfTheHead());
  }

  tidy(): void {
    if (this.tailIsHalfTheHead()) this.merged();
    else this.mergeTail();
  }

  diffParts(sv: Uint8Array): Uint8Array[] {
    if (this.log.length === 0) return [this.merged()];
    // Never the whole log here: a peer waits for this answer (the full merge is housekeeping's,
    // which a large tail triggers as soon as it is written: documents.ts).
    if (this.log.length > MAX_REPLY_PARTS) this.mergeTail();
    // A device that holds none of it (a new phone, a first open) needs all of it: diffUpdate would
    // decode and re-encode every struct of a long conversation to produce the same update (~80 ms
    // for 10,000 messages, most of a new device's wait on the relay).
    if (!holdsAny(this.have, sv)) return this.log.slice();
    // An update with no struct and no delete encodes as two zero bytes: nothing to send.
    return this.log.map((part) => Y.diffUpdate(part, sv)).filter((part, i, all) => i === all.length - 1 || part.byteLength > 2);
  }

  stateVector(): Uint8Array {
    return encodeStateVector(this.have);
  }

  isRedundant(summary: UpdateSummary): boolean {
    return (
      summary.structs.every((s) => this.have.covers(s.client, s.clock, s.len)) &&
      summary.deletes.every(([client, clock, len]) => this.deleted.covers(client, clock, len))
    );
  }

  private classify(summary: UpdateSummary): void {
    const flags = this.agentOnlyStructs(summary);
    const messages = this.messageStructs(summary);
    const authors = this.authorStructs(summary);
    summary.structs.forEach((s, i) => {
      if (authors[i]) this.authorValues.add(s.client, s.clock, s.len);
      this.have.add(s.client, s.clock, s.len);
      if (flags[i]) this.agentOnly.add(s.client, s.clock, s.len);
      if (messages[i]) this.messageItems.add(s.client, s.clock, s.len);
    });
  }

  private noteMissing(summary: UpdateSummary): void {
    if (!this.isConversation) return;
    for (const s of summary.structs) {
      for (const ref of s.refs) this.noteIfMissing(ref);
      if (s.parentItem) this.noteIfMissing(s.parentItem);
    }
  }

  private noteIfMissing(ref: Y.ID): void {
    if (!this.have.overlaps(ref.client, ref.clock, 1) && this.missing.length < MAX_MISSING) this.missing.push(ref);
  }

  private tailBytes(): number {
    return this.log.length === 0 ? 0 : this.logBytes - this.log[0]!.byteLength;
  }

  private tailIsHalfTheHead(): boolean {
    return this.log.length > 1 && this.tailBytes() * 2 >= this.log[0]!.byteLength;
  }

  /** O(tail): the head stays as it is. */
  private mergeTail(): void {
    if (this.log.length <= 2) return;
    const head = this.log[0]!;
    const tail = Y.mergeUpdates(this.log.slice(1));
    this.log = [head, tail];
    this.logBytes = head.byteLength + tail.byteLength;
  }
}

export function createThinDoc(name: string, parsed: ParsedDocName, owners: Map<number, string>): ThinDoc {
  return new ThinDocument(name, parsed, owners);
}
