import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { MAX_ANY_DEPTH, MalformedUpdate, scanUpdateV1 } from './scan-v1.js';
import type { ScannedUpdate } from './scan-v1.js';

/** What Y.decodeUpdate says about the same bytes, in the scanner's terms: the reference. */
/** The scan without the map-value flag, which the reference cannot derive (see below). */
function shape(scan: ScannedUpdate): ScannedUpdate {
  return { ...scan, structs: scan.structs.map((s) => ({ ...s, mapValue: false, authorKey: false, valueStart: -1, valueEnd: -1 })) };
}

function reference(update: Uint8Array): ScannedUpdate {
  const decoded = Y.decodeUpdate(update) as unknown as { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, { clock: number; len: number }[]> } };
  const structs = decoded.structs
    .filter((s) => !(s instanceof Y.Skip))
    .map((s) => {
      const refs: Y.ID[] = [];
      let parentRoot: string | null = null;
      let parentItem: Y.ID | null = null;
      if (s instanceof Y.Item) {
        if (s.origin) refs.push(s.origin);
        if (s.rightOrigin) refs.push(s.rightOrigin);
        if (typeof s.parent === 'string') parentRoot = s.parent;
        else if (s.parent instanceof Y.ID) parentItem = s.parent;
      }
      // Y.decodeUpdate keeps a struct's key only when it names its parent, so the reference cannot
      // say whether a positioned struct is a map value: that flag is checked against an integrated
      // document in its own test below, and taken from the scan here.
      const origin = s instanceof Y.Item ? s.origin : null;
      return { client: s.id.client, clock: s.id.clock, len: s.length, parentRoot, refs, parentItem, mapValue: false, origin, authorKey: false, valueStart: -1, valueEnd: -1 };
    });
  const ends = new Map<number, number>();
  for (const s of structs) ends.set(s.client, Math.max(ends.get(s.client) ?? 0, s.clock + s.len));
  const deletes: [number, number, number][] = [];
  for (const [client, items] of decoded.ds.clients) for (const { clock, len } of items) if (len > 0) deletes.push([client, clock, len]);
  return { structs, deletes, ends, bytes: update };
}

/** Deterministic xorshift32, so a failure replays. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Updates of every content kind Yjs writes: strings with surrogate pairs, any values, JSON, embeds, formats, XML, subdocs, deletes, GC. */
function samples(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const doc = new Y.Doc({ gc: false });
  doc.clientID = 7;
  const capture = (name: string, f: () => void): void => {
    const before = Y.encodeStateVector(doc);
    f();
    out.push([name, Y.encodeStateAsUpdate(doc, before)]);
  };
  capture('text with emoji and CJK', () => doc.getText('t').insert(0, 'héllo 👋🏽 世界 plain'));
  capture('formatted text and embed', () => {
    doc.getText('t').format(0, 3, { bold: true });
    doc.getText('t').insertEmbed(2, { image: 'x.png' });
  });
  capture('message map with nested any', () => {
    const m = new Y.Map<unknown>();
    doc.getArray('messages').push([m]);
    m.set('id', '0190a0b1');
    m.set('author', { role: 'customer', id: 'c1', name: 'Ada', tags: [1, 2.5, -3, null, true, false, { deep: [[['x']]] }], big: 2n ** 40n });
    m.set('bytes', new Uint8Array([1, 2, 3]));
    m.set('text', 'ünïcode ✓');
    m.set('gone', undefined);
  });
  capture('xml', () => {
    const f = doc.getXmlFragment('x');
    const el = new Y.XmlElement('p');
    f.insert(0, [el, new Y.XmlText('t')]);
    el.setAttribute('class', 'c');
  });
  capture('subdocument', () => doc.getMap('docs').set('sub', new Y.Doc({ guid: 'sub-guid' })));
  capture('deletes', () => {
    doc.getText('t').delete(1, 4);
    doc.getArray('messages').delete(0, 1);
  });
  out.push(['whole document', Y.encodeStateAsUpdate(doc)]);
  // gc: true turns deleted content into GC structs
  const gcDoc = new Y.Doc();
  gcDoc.clientID = 9;
  gcDoc.getText('t').insert(0, 'abcdef');
  gcDoc.getText('t').delete(0, 6);
  out.push(['GC structs', Y.encodeStateAsUpdate(gcDoc)]);
  // a merge of two updates with a hole between them has a Skip
  const a = new Y.Doc();
  a.clientID = 11;
  const u1 = captureUpdate(a, () => a.getText('t').insert(0, 'one'));
  captureUpdate(a, () => a.getText('t').insert(3, 'two'));
  const u3 = captureUpdate(a, () => a.getText('t').insert(6, 'three'));
  out.push(['merged with a gap (Skip)', Y.mergeUpdates([u1, u3])]);
  out.push(['empty', Y.encodeStateAsUpdate(new Y.Doc())]);
  return out;
}

function captureUpdate(doc: Y.Doc, f: () => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  f();
  return Y.encodeStateAsUpdate(doc, before);
}

/** One Item under root `r` with the given content ref and content writer. */
function oneItem(ref: number, writeContent: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  [1, 1, 5, 0].forEach((n) => encoding.writeVarUint(e, n));
  encoding.writeUint8(e, ref);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, 'r');
  writeContent(e);
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

describe('scanUpdateV1 agrees with Y.decodeUpdate', () => {
  it.each(samples())('%s', (_name, update) => {
    expect(shape(scanUpdateV1(update))).toEqual(reference(update));
  });

  it('legacy ContentJSON (including the text "undefined") has the length Yjs gives it', () => {
    const update = oneItem(2, (e) => {
      encoding.writeVarUint(e, 3);
      ['{"a":1}', 'undefined', '[1,2]'].forEach((s) => encoding.writeVarString(e, s));
    });
    expect(shape(scanUpdateV1(update))).toEqual(reference(update));
    expect(scanUpdateV1(update).structs[0]!.len).toBe(3);
  });

  it('a string starting with a byte order mark keeps it in its length, as Yjs does', () => {
    const update = oneItem(4, (e) => encoding.writeVarString(e, '\uFEFFhi 👋'));
    expect(shape(scanUpdateV1(update))).toEqual(reference(update));
    expect(scanUpdateV1(update).structs[0]!.len).toBe(6);
  });

  it('never accepts a damaged update that Yjs would read differently or refuse (seeded byte flips and cuts)', () => {
    const random = rng(20261123);
    let accepted = 0;
    for (const [, update] of samples()) {
      for (let k = 0; k < 300; k++) {
        const bytes = update.slice(0, random() < 0.2 ? Math.floor(random() * update.length) : update.length);
        if (bytes.length > 0) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        let ours: ScannedUpdate | null = null;
        try {
          ours = scanUpdateV1(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedUpdate);
        }
        if (ours) {
          accepted++;
          expect(shape(ours)).toEqual(reference(bytes));
        }
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('[P1] scanUpdateV1 refuses in bounded work', () => {
  const dir = fileURLToPath(new URL('./poison/', import.meta.url));
  const poison = readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => [f, new Uint8Array(readFileSync(dir + f))] as const);

  it.each(poison)('[P1] poison %s', (_name, bytes) => {
    const t0 = performance.now();
    expect(() => scanUpdateV1(bytes)).toThrow(MalformedUpdate);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it.each([
    ['content that is not JSON (embed)', oneItem(5, (e) => encoding.writeVarString(e, '{nope'))],
    ['content that is not JSON (legacy JSON)', oneItem(2, (e) => (encoding.writeVarUint(e, 1), encoding.writeVarString(e, 'nan?')))],
    ['an unknown type ref', oneItem(7, (e) => encoding.writeVarUint(e, 9))],
    ['an unknown content ref', oneItem(11, () => undefined)],
    ['an unknown any type', oneItem(8, (e) => (encoding.writeVarUint(e, 1), encoding.writeUint8(e, 50)))],
    ['subdocument options that are not an object', oneItem(9, (e) => (encoding.writeVarString(e, 'g'), encoding.writeUint8(e, 126)))],
    ['a string of invalid UTF-8', oneItem(4, (e) => encoding.writeVarUint8Array(e, new Uint8Array([0x61, 0xff, 0xc3, 0x28])))],
    ['an any string of invalid UTF-8', oneItem(8, (e) => (encoding.writeVarUint(e, 1), encoding.writeUint8(e, 119), encoding.writeVarUint8Array(e, new Uint8Array([0xed, 0xa0, 0x80]))))],
    ['a map key of invalid UTF-8', oneItem(8 | 32, (e) => (encoding.writeVarUint8Array(e, new Uint8Array([0xc0, 0xaf])), encoding.writeVarUint(e, 1), encoding.writeUint8(e, 126)))],
  ])('[P1] %s', (_name, bytes) => {
    expect(() => scanUpdateV1(bytes)).toThrow(MalformedUpdate);
    expect(() => Y.decodeUpdate(bytes)).toThrow();
  });

  it('[P1] an item of length 0 (which Yjs would take) is refused: no struct without a clock', () => {
    expect(() => scanUpdateV1(oneItem(1, (e) => encoding.writeVarUint(e, 0)))).toThrow(/out of range/);
  });

  it(`[P1] any values nested deeper than ${MAX_ANY_DEPTH} are refused without recursion (1 MB of nesting)`, () => {
    const depth = 500_000;
    const bytes = oneItem(8, (e) => {
      encoding.writeVarUint(e, 1);
      for (let i = 0; i < depth; i++) {
        encoding.writeUint8(e, 117);
        encoding.writeVarUint(e, 1);
      }
      encoding.writeUint8(e, 126);
    });
    const t0 = performance.now();
    expect(() => scanUpdateV1(bytes)).toThrow(/nested too deeply/);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('trailing bytes are refused unless the caller trusts the source', () => {
    const [, update] = samples()[0]!;
    const longer = new Uint8Array([...update, 0]);
    expect(() => scanUpdateV1(longer)).toThrow(/trailing bytes/);
    expect(shape(scanUpdateV1(longer, false)).structs).toEqual(reference(update).structs);
  });
});

describe('map values', () => {
  it('flags exactly the structs that integrate with a key (set, overwrite, nested set), not array elements', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const messages = doc.getArray<Y.Map<unknown>>('messages');
    const meta = doc.getMap('meta');
    meta.set('language', 'fi');
    meta.set('language', 'tr');
    const message = new Y.Map<unknown>();
    messages.push([message]);
    message.set('text', 'hello');
    message.set('text', 'edited');
    messages.push([new Y.Map<unknown>()]);
    const flags: boolean[] = [];
    for (const update of updates) {
      for (const s of scanUpdateV1(update).structs) {
        const item = Y.getItem(doc.store, Y.createID(s.client, s.clock)) as Y.Item;
        expect(s.mapValue, `struct ${s.client}:${s.clock}`).toBe(item.parentSub !== null);
        flags.push(s.mapValue);
      }
    }
    // two language sets, two text sets are map values; the two message pushes are not
    expect(flags).toEqual([true, true, false, true, true, false]);
  });
});
