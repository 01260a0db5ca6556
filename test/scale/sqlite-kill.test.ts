/**
 * [P7] Nothing acked is lost when the relay dies: a child process appends and reports each
 * durable append; we kill -9 it mid-stream and reopen the file. (kill -9 proves the commit reached
 * the OS; synchronous=FULL is what carries it through power loss, which a test cannot pull.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openStore } from '../../packages/sync-server/src/storage/index.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite store killed with SIGKILL', () => {
  it.each(['worker', 'main'] as const)('[P7] keeps every acknowledged append (%s thread)', async (thread) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-kill-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(repoRoot, 'test/scale/append-until-killed.ts'), dataDir, thread], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
    const acked = new Set<number>();
    // Kill once 300 appends are acknowledged: the writers are mid-batch at that moment.
    await new Promise<void>((done, fail) => {
      child.once('exit', () => fail(new Error('child exited before it was killed')));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^acked (\d+)$/.exec(line);
        if (!match) return;
        acked.add(Number(match[1]));
        if (acked.size === 300) {
          child.kill('SIGKILL');
          done();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const store = await openStore({ dataDir, thread });
    const stored = await store.load('ws/kill/settings');
    await store.close();
    const doc = new Y.Doc();
    for (const u of stored!.updates) Y.applyUpdate(doc, u);
    const present = new Set(doc.getArray<number>('acked').toArray());
    const lost = [...acked].filter((n) => !present.has(n));
    expect(lost).toEqual([]);
    expect(present.size).toBeGreaterThanOrEqual(300);
  });
});
