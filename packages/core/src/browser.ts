/**
 * @parley/core/browser: what only browsers have. IndexedDB replicas, and several tabs sharing one
 * socket and one IndexedDB writer (Web Locks + BroadcastChannel). Import the rest from '@parley/core'.
 */
export { createIndexedDbStore, type IndexedDbStoreOptions } from './persistence/indexeddb-store.js';
export { createTabClient, type TabClient, type TabClientOptions, type TabMessage, type LockManagerLike, type ChannelLike } from './client/tabs.js';
