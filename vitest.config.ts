import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript source (the `source` export condition),
// so a change in core is seen by the relay's tests without a rebuild.
export default defineConfig({
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  // No 'import' here: Vite adds it per import kind, and forcing it makes require() inside CJS packages
  // (pg requiring pg-pool) load their ESM build, which breaks them.
  ssr: { resolve: { conditions: ['source', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep integration tests that start relay processes and Chromium from starving each other.
    maxWorkers: 2,
  },
});
