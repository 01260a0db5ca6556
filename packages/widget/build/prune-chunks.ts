/**
 * Vite writes lazy chunks under content-hashed names, so every build adds files to
 * dist/widget-chunks/ and nothing removes them. Emptying the folder before a build (Vite's
 * emptyOutDir) is worse: a page that loaded widget.js earlier imports its connect chunk only when
 * the customer opens the chat, maybe minutes later, and would get a 404 from the relay.
 *
 * So pruning runs after the new files are written and keeps two generations: this build's chunks
 * and the previous build's (pages opened before this deploy). Anything older goes. Which files
 * belong to a generation is recorded in a small manifest beside them.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST = '.generations.json';

interface Generations {
  current: string[];
  previous: string[];
}

function readGenerations(dir: string): Generations | null {
  try {
    const value = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Partial<Generations>;
    return Array.isArray(value.current) && Array.isArray(value.previous) ? { current: value.current, previous: value.previous } : null;
  } catch {
    return null;
  }
}

/**
 * Records `written` (file names relative to `dir`, source maps included) as the current generation
 * and deletes every other file except the previous generation's. Returns the names deleted.
 * Without a manifest (the first build with pruning) the folder's history is unknown: everything
 * already there counts as the previous generation and goes at the next build.
 */
export function pruneChunks(dir: string, written: readonly string[]): string[] {
  const before = readGenerations(dir);
  const current = [...new Set(written)].sort();
  // Building the same sources twice must not push the real previous generation out.
  const same = before !== null && before.current.length === current.length && before.current.every((f, i) => f === current[i]);
  const previous = before === null ? readdirSync(dir).filter((f) => f !== MANIFEST && !current.includes(f)) : same ? before.previous : before.current;
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ current, previous }, null, 1)}\n`);
  const keep = new Set([...current, ...previous, MANIFEST]);
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (keep.has(name)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed.sort();
}
