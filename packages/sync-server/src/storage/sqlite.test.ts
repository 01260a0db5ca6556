/** What only the SQLite store has: a file that can be damaged, and a disk that can fill up. */
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { StorageCorruptError } from './errors.js';
import { cleanCloseMarker, fileIdentity } from './sqlite-engine.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.js';
import { openSqliteThreadedStore } from './sqlite-threaded.js';
import type { DocStore } from './types.js';
import { StorageUnavailableError } from './types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  dirs.push(dir);
  return dir;
}

function textUpdate(clientID: number, text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

/** A store holding enough documents to span many pages, closed again. */
async function filledFile(): Promise<{ dataDir: string; file: string }> {
  const dataDir = tempDir();
  const store = openSqliteStore({ dataDir });
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`d/${i}`, textUpdate(i + 1, `message ${i} `.repeat(40)))));
  await store.close();
  return { dataDir, file: store.file };
}

const openers: Array<[string, (options: SqliteStoreOptions) => Promise<DocStore>]> = [
  ['on the relay thread', async (options) => openSqliteStore(options)],
  ['in a worker thread', openSqliteThreadedStore],
];

describe.each(openers)('SQLite store %s on a damaged file', (_where, open) => {
  it.each([
    ['is not a database', (file: string) => writeFileSync(file, 'hello, this is not sqlite '.repeat(400))],
    ['was truncated', (file: string) => truncateSync(file, Math.floor(readFileSync(file).byteLength / 3))],
    [
      'has a page overwritten',
      (file: string) => {
        const bytes = readFileSync(file);
        bytes.fill(0xa5, 4096 * 2, 4096 * 2 + 2048);
        writeFileSync(file, bytes);
      },
    ],
  ])('refuses to open a file that %s, naming the file', async (_what, damage) => {
    const { dataDir, file } = await filledFile();
    damage(file);
    const thrown: unknown = await open({ dataDir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(StorageCorruptError);
    expect((thrown as Error).message).toContain(file);
  });

  it('refuses a file written by a newer schema', async () => {
    const { dataDir, file } = await filledFile();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    await expect(open({ dataDir })).rejects.toThrow(/schema version 99/);
  });

  it('marks a clean close, drops the mark while open, and checks in full a file changed since', async () => {
    const { dataDir, file } = await filledFile();
    expect(existsSync(cleanCloseMarker(file))).toBe(true);
    const store = await open({ dataDir });
    expect(existsSync(cleanCloseMarker(file))).toBe(false);
    await store.close();
    expect(readFileSync(cleanCloseMarker(file), 'utf8')).toBe(fileIdentity(file));

    // Same size, same inode, a page overwritten right after the close: the marker no longer matches.
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 2, 4096 * 2 + 2048);
    writeFileSync(file, bytes);
    await expect(open({ dataDir })).rejects.toBeInstanceOf(StorageCorruptError);
  });

  it('trusts an unchanged file after a clean close without reading every page; damage the metadata cannot show surfaces on read', async () => {
    const { dataDir, file } = await filledFile();
    // The disk flipping bits under an unchanged inode, size and times: simulated by vouching for the damaged file.
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 2, 4096 * 2 + 2048);
    writeFileSync(file, bytes);
    writeFileSync(cleanCloseMarker(file), fileIdentity(file)!);
    const store = await open({ dataDir });
    try {
      const loads = await Promise.all(Array.from({ length: 200 }, (_, i) => store.load(`d/${i}`).then(() => null, (e: unknown) => e)));
      expect(loads.find((e) => e !== null)).toBeInstanceOf(StorageCorruptError);
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});

describe('SQLite store in a worker thread: commit window', () => {
  it('commits at once when quiet; appends after a recent commit wait for the window and share one commit', async () => {
    const windowMs = 500;
    const store = await openSqliteThreadedStore({ dataDir: tempDir(), commitWindowMs: windowMs });
    const t0 = performance.now();
    await store.append('d/a', textUpdate(1, 'first'));
    // No commit before it: nothing to wait for.
    expect(performance.now() - t0).toBeLessThan(windowMs * 0.8);
    const second = store.append('d/b', textUpdate(2, 'second')).then(() => performance.now());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const third = store.append('d/c', textUpdate(3, 'third')).then(() => performance.now());
    const [t2, t3] = await Promise.all([second, third]);
    // The first commit started at or after t0, so the next may not start before t0 + window.
    expect(t2 - t0).toBeGreaterThanOrEqual(windowMs - 5);
    // One commit: had the third gone into a later one, it would resolve a whole window later.
    expect(t3 - t2).toBeLessThan(windowMs / 2);
    expect((await store.list('d/')).map((s) => s.name)).toEqual(['d/a', 'd/b', 'd/c']);
    await store.close();
  });

  it('does not hold a queue already big enough to share a commit (closed-loop writers)', async () => {
    const store = await openSqliteThreadedStore({ dataDir: tempDir(), commitWindowMs: 60_000 });
    await store.append('d/a', textUpdate(1, 'first'));
    const t0 = performance.now();
    // one turn later, as acked writers would send their next updates
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(`d/w${i}`, textUpdate(10 + i, `w${i}`))));
    expect(performance.now() - t0).toBeLessThan(10_000);
    await store.close();
  });

  it('an append that claims client ids does not wait out the window, and takes what waits with it', async () => {
    const store = await openSqliteThreadedStore({ dataDir: tempDir(), commitWindowMs: 60_000 });
    await store.append('d/a', textUpdate(1, 'first'));
    const waiting = store.append('d/b', textUpdate(2, 'second'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const t0 = performance.now();
    // The relay forwards a first write under a new client id only once it is committed.
    await Promise.all([store.append('d/c', textUpdate(3, 'third'), new Map([[3, 'customer:c']])), waiting]);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect([...((await store.load('d/c'))?.owners ?? [])]).toEqual([[3, 'customer:c']]);
    await store.close();
  });

  it('an append someone waits for does not wait out the window either', async () => {
    const store = await openSqliteThreadedStore({ dataDir: tempDir(), commitWindowMs: 60_000 });
    await store.append('d/a', textUpdate(1, 'first'));
    const t0 = performance.now();
    // The relay forwards an agent's reply to the customer only once it is committed.
    await store.append('d/a', textUpdate(1, 'reply'), undefined, { awaited: true });
    expect(performance.now() - t0).toBeLessThan(10_000);
    await store.close();
  });

  it('answers a burst of requests posted together each with its own result, in call order', async () => {
    const store = await openSqliteThreadedStore({ dataDir: tempDir() });
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(`d/${i}`, textUpdate(100 + i, `text ${i}`))));
    // One turn: the loads, a delete and a load after it travel to the worker in one message, in call order.
    const [loads, , missing] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, (_, i) => store.load(`d/${i}`))),
      store.delete('d/39'),
      store.load('d/39'),
    ]);
    const textOf = (doc: { updates: Uint8Array[] } | null): string => {
      const y = new Y.Doc();
      for (const u of doc?.updates ?? []) Y.applyUpdate(y, u);
      return y.getText('t').toString();
    };
    expect(loads.map(textOf)).toEqual(Array.from({ length: 40 }, (_, i) => `text ${i}`));
    expect(missing).toBeNull();
    expect(textOf(await store.load('d/7'))).toBe('text 7');
    await store.close();
  });

  it('close commits what waits for the window at once', async () => {
    const store = await openSqliteThreadedStore({ dataDir: tempDir(), commitWindowMs: 60_000 });
    await store.append('d/a', textUpdate(1, 'first'));
    const waiting = store.append('d/b', textUpdate(2, 'second'));
    // one turn: the store has looked at its queue and is now waiting for the window
    await new Promise((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    await store.close();
    await waiting;
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe.each(openers)('SQLite store %s when the disk is full', (_where, open) => {
  it('[P12] rejects appends with StorageUnavailableError, keeps serving reads, and recovers when space is freed', async () => {
    const dataDir = tempDir();
    // The quota plays the full disk: SQLite reports SQLITE_FULL exactly as it does on ENOSPC.
    const store = await open({ dataDir, maxBytes: 256 * 1024 });
    const big = (i: number): Uint8Array => textUpdate(i + 1, `${i} `.padEnd(20_000, 'x'));
    await store.append('d/keep', textUpdate(999, 'still readable'));
    const results: Array<'ok' | StorageUnavailableError> = [];
    for (let i = 0; i < 40; i++) {
      results.push(await store.append(`d/filler/${i}`, big(i)).then(() => 'ok' as const, (e: StorageUnavailableError) => e));
    }
    const firstFailure = results.findIndex((r) => r !== 'ok');
    expect(firstFailure).toBeGreaterThan(0);
    expect(results[firstFailure]).toBeInstanceOf(StorageUnavailableError);
    expect((results[firstFailure] as Error).message).toMatch(/full/i);

    const kept = await store.load('d/keep');
    expect(kept!.updates).toHaveLength(1);
    const failedName = `d/filler/${firstFailure}`;
    expect(await store.load(failedName)).toBeNull();

    for (let i = 0; i < firstFailure; i++) await store.delete(`d/filler/${i}`);
    await store.append(failedName, big(firstFailure));
    expect((await store.load(failedName))!.updates).toHaveLength(1);
    await store.close();

    const reopened = await open({ dataDir });
    expect((await reopened.list('d/')).map((s) => s.name)).toEqual(['d/filler/' + firstFailure, 'd/keep']);
    await reopened.close();
  });
});
