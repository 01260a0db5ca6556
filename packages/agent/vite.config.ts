import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * dist/ also holds tsc's declaration output (dist/types), so Vite must not empty it; this removes
 * only the previous build's hashed assets, which would otherwise pile up.
 */
function cleanPreviousAssets(): Plugin {
  return {
    name: 'parley-clean-previous-assets',
    apply: 'build',
    buildStart() {
      rmSync(`${here}dist/assets`, { recursive: true, force: true });
    },
  };
}

const SW_ENTRY = 'sw';

/**
 * The service worker (src/offline/service-worker.ts) is built as its own entry at dist/sw.js (it
 * must sit at /agent/ to control /agent/), and gets the list of files to precache, with a version
 * derived from their names (content-hashed), written into it here.
 */
function appShellManifest(): Plugin {
  return {
    name: 'parley-app-shell-manifest',
    apply: 'build',
    // After Vite's own generateBundle, which emits index.html.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => f !== 'sw.js' && !f.endsWith('.map')).sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') throw new Error('the service worker entry did not build to sw.js');
      sw.code = `const PRECACHE = ${JSON.stringify({ version, files })};\n${sw.code}`;
    },
  };
}

// Served by the relay at /agent/. Workspace packages resolve to their TypeScript sources (the
// `source` condition), so building the app does not depend on core having been compiled first.
export default defineConfig({
  root: here,
  base: '/agent/',
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  plugins: [cleanPreviousAssets(), appShellManifest()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: { index: `${here}index.html`, [SW_ENTRY]: `${here}src/offline/service-worker.ts` },
      output: { entryFileNames: (chunk) => (chunk.name === SW_ENTRY ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
});
