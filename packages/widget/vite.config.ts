import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { pruneChunks } from './build/prune-chunks.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * One ES module, dist/widget.js, that a host page loads with a single script tag; code the first
 * paint does not need (core + Yjs, attachments, the QR code) is split into dist/widget-chunks/ and
 * fetched relative to widget.js. dist/types (tsc's declarations) is left alone.
 */
const CHUNKS = 'widget-chunks/';

/** Deletes chunks older than the previous build once this build's are written (build/prune-chunks.ts). */
const pruneOldChunks: Plugin = {
  name: 'parley-prune-old-chunks',
  apply: 'build',
  writeBundle(options, bundle) {
    const written = Object.keys(bundle)
      .filter((f) => f.startsWith(CHUNKS))
      .flatMap((f) => [f.slice(CHUNKS.length), ...(f.endsWith('.js') ? [`${f.slice(CHUNKS.length)}.map`] : [])]);
    const removed = pruneChunks(join(options.dir ?? join(here, 'dist'), CHUNKS), written);
    if (removed.length) this.info(`removed ${removed.length} chunk files older than the previous build`);
  },
};

export default defineConfig({
  root: here,
  plugins: [pruneOldChunks],
  base: './',
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    modulePreload: false,
    copyPublicDir: false,
    rollupOptions: {
      // parley-sw.js: the Web Push service worker, a classic script with no imports (host sites copy it).
      input: { widget: `${here}src/index.ts`, 'parley-sw': `${here}src/push/sw.ts` },
      // Lets lazy chunks import shared code from widget.js itself instead of a facade re-exporting a chunk
      // (which would cost the host page a second, serial request before the launcher shows).
      preserveEntrySignatures: 'allow-extension',
      output: {
        format: 'es',
        entryFileNames: (chunk) => (chunk.name === 'parley-sw' ? 'parley-sw.js' : 'widget.js'),
        chunkFileNames: 'widget-chunks/[name]-[hash].js',
      },
    },
  },
});
