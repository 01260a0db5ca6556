import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import type { AddressInfo } from 'node:net';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Serves test pages (test/widget/pages) and the widget's TypeScript sources through Vite, so a
 * browser test runs the code as written, with no build step. Port 0, 127.0.0.1 only.
 */
export async function startDevServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: ViteDevServer = await createServer({
    root: repoRoot,
    configFile: false,
    logLevel: 'error',
    clearScreen: false,
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
