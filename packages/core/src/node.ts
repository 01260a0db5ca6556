/**
 * @parley/core/node: what only Node has. A replica store on the file system for bots, workers and
 * tests. Node 20 has no global WebSocket: pass the `ws` package's export as `WebSocket` to createClient.
 */
export { createFileStore, type FileStoreOptions } from './persistence/file-store.js';
