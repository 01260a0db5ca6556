/**
 * Old lazy chunks are cleaned up after a build, but never those a page opened before the deploy may
 * still import: the previous build's chunks stay for one more build.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MANIFEST, pruneChunks } from '../../packages/widget/build/prune-chunks.js';
import { repoRoot } from '../helpers/relay-process.js';
import { ensureWidgetBuilt } from './relay-fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake build: writes the files as Vite would, then prunes as the plugin does. */
function build(dir: string, files: string[]): string[] {
  for (const f of files) writeFileSync(join(dir, f), f);
  return pruneChunks(dir, files);
}
const onDisk = (dir: string): string[] => readdirSync(dir).filter((f) => f !== MANIFEST).sort();

describe('pruning old widget chunks', () => {
  it('keeps this build and the previous one, deletes older ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-chunks-'));
    dirs.push(dir);
    // Chunks left by builds from before pruning existed: history unknown, so they survive one build.
    writeFileSync(join(dir, 'connect-ancient.js'), '');
    expect(build(dir, ['connect-a.js', 'qr-1.js'])).toEqual([]);
    expect(build(dir, ['connect-b.js', 'qr-1.js'])).toEqual(['connect-ancient.js']);
    expect(onDisk(dir)).toEqual(['connect-a.js', 'connect-b.js', 'qr-1.js']);
    expect(build(dir, ['connect-c.js', 'qr-2.js'])).toEqual(['connect-a.js']);
    expect(onDisk(dir)).toEqual(['connect-b.js', 'connect-c.js', 'qr-1.js', 'qr-2.js']);
  });

  it('building the same sources again keeps the real previous generation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-chunks-'));
    dirs.push(dir);
    build(dir, ['connect-a.js']);
    build(dir, ['connect-b.js']);
    expect(build(dir, ['connect-b.js'])).toEqual([]);
    expect(onDisk(dir)).toEqual(['connect-a.js', 'connect-b.js']);
  });

  it('the real build leaves only the chunks of this build and the previous one, and every chunk widget.js imports exists', () => {
    ensureWidgetBuilt();
    const dir = join(repoRoot, 'packages', 'widget', 'dist', 'widget-chunks');
    const generations = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { current: string[]; previous: string[] };
    const known = new Set([...generations.current, ...generations.previous]);
    expect(onDisk(dir).filter((f) => !known.has(f))).toEqual([]);
    const imported = [...readFileSync(join(dir, '..', 'widget.js'), 'utf8').matchAll(/widget-chunks\/([\w-]+\.js)/g)].map((m) => m[1]!);
    expect(imported.length).toBeGreaterThan(0);
    for (const f of imported) expect(existsSync(join(dir, f)), f).toBe(true);
  });
});
