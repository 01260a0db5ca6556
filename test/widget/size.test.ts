/**
 * The size budget: a full first load (widget.js and the connection chunk it imports when a session
 * starts) stays under 70 KB gzipped; code only some customers need stays out of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/relay-process.js';
import { ensureWidgetBuilt } from './relay-fixtures.js';

const dist = join(repoRoot, 'packages', 'widget', 'dist');
const gz = (file: string): number => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
/** The chunk files widget.js refers to (its lazy imports), by the name Vite gave them. */
const chunksOf = (entry: string): string[] => [...new Set([...readFileSync(join(dist, entry), 'utf8').matchAll(/widget-chunks\/[\w-]+\.js/g)].map((m) => m[0]))];

describe('widget bundle size', () => {
  it('keeps a full first load under 70 KB gzipped, with attachments, QR and the push offer lazy', () => {
    ensureWidgetBuilt();
    const chunks = chunksOf('widget.js');
    const connect = chunks.find((c) => c.includes('/connect-'));
    expect(connect, `chunks: ${chunks.join(', ')}`).toBeDefined();
    const entry = gz('widget.js');
    const firstLoad = entry + gz(connect!);
    console.log(`widget.js ${(entry / 1024).toFixed(1)} KB + ${connect} ${((firstLoad - entry) / 1024).toFixed(1)} KB = ${(firstLoad / 1024).toFixed(1)} KB gzipped`);
    expect(firstLoad).toBeLessThan(70 * 1024);
    // The launcher must not wait for Yjs: the entry stays small.
    expect(entry).toBeLessThan(30 * 1024);
    expect(chunks.some((c) => c.includes('/qr-'))).toBe(true);
    expect(chunks.some((c) => c.includes('/attachments-'))).toBe(true);
    // The Web Push offer card and subscribe code load on the first reply, not with the launcher.
    expect(chunks.some((c) => c.includes('/offer-'))).toBe(true);
    expect(chunks.some((c) => c.includes('/subscribe-'))).toBe(true);
  });
});
