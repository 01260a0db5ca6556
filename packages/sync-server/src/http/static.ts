/**
 * Serves the built front ends (widget bundle, agent app, demo page) from folders on disk. A folder
 * that is not built yet answers 503 with a sentence saying how to build it, instead of a bare 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeFileOptions {
  /** what to tell the user when the folder or file is missing, e.g. 'run npm run build' */
  missing: string;
  /** single-page app: unknown paths without an extension get this file (e.g. index.html) */
  fallback?: string;
}

/** Answers `relPath` from `root`; never leaves `root` whatever the path says. */
export async function serveFile(c: Context, root: string, relPath: string, options: ServeFileOptions): Promise<Response> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return c.text('not found\n', 404);
  }
  let file = resolve(base, '.' + sep + decoded.replace(/^\/+/, ''));
  if (file !== base && !file.startsWith(base + sep)) return c.text('not found\n', 404);
  if (!(await isDir(base))) return c.text(`503: ${options.missing}\n`, 503);
  if (await isDir(file)) file = join(file, 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (options.fallback && extname(relPath) === '') return serveFile(c, root, options.fallback, { missing: options.missing });
    if (relPath === '' || relPath === '/' || relPath === 'index.html' || relPath.endsWith('.js')) return c.text(`503: ${options.missing}\n`, 503);
    return c.text('not found\n', 404);
  }
  return c.body(new Uint8Array(body), 200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Bundles are rebuilt in place; revalidate so a deploy is seen at once.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
