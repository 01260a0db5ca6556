/**
 * The agent app's service worker, served at /agent/sw.js with scope /agent/. It keeps the app
 * shell (index.html and the built assets) in Cache Storage, so reloading /agent/ with no network
 * still starts the app, which then reads the inbox and transcripts from IndexedDB.
 *
 * - Navigations go to the network first (a deploy is seen at once) and fall back to the cached
 *   index.html when the network fails.
 * - Built assets are content-hashed, so the cached copy is always right: cache first.
 * - Everything else (the relay's /v1 API, blobs, the socket) is not touched.
 *
 * The build (vite.config.ts) replaces PRECACHE with the list of built files; a new build is a new
 * sw.js, so the browser installs it, it caches the new files under a new name, and drops the old.
 *
 * Written without the WebWorker lib (it clashes with DOM in one project): the few service-worker
 * types it uses are declared here.
 */

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEventLike) => void): void;
}

/** Replaced at build time with `{ version, files }` (paths relative to the scope). */
declare const PRECACHE: { version: string; files: string[] };

const sw = self as unknown as ServiceWorkerScope;
const CACHE_PREFIX = 'parley-agent-shell-';
const cacheName = CACHE_PREFIX + PRECACHE.version;
const scope = new URL(sw.registration.scope);
const shellUrl = new URL('index.html', scope).href;
const precached = new Set(PRECACHE.files.map((f) => new URL(f, scope).href));

sw.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // `cache: 'reload'` so a stale HTTP cache cannot end up in the shell.
      await cache.addAll([...precached].map((url) => new Request(url, { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== cacheName) await caches.delete(name);
      // Control the page that registered us, so its later requests are served offline too.
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (e) => {
  const request = e.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (request.mode === 'navigate') {
    e.respondWith(
      fetch(request).catch(async () => {
        const cached = await caches.match(shellUrl, { cacheName });
        if (cached) return cached;
        throw new TypeError('offline and the app shell is not cached');
      }),
    );
    return;
  }
  url.search = '';
  if (precached.has(url.href)) e.respondWith(caches.match(url.href, { cacheName }).then((hit) => hit ?? fetch(request)));
});
