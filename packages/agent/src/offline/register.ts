/**
 * Registers the app-shell service worker (./service-worker.ts, built to /agent/sw.js) so that
 * /agent/ reopens without a network. The URLs are relative to this bundle (/agent/assets/…), not
 * to the page, so any path the relay serves the app under finds the same worker and scope.
 */
export function registerAppShell(): void {
  if (!('serviceWorker' in navigator)) return;
  const url = new URL(/* @vite-ignore */ '../sw.js', import.meta.url);
  navigator.serviceWorker.register(url, { scope: new URL(/* @vite-ignore */ '../', import.meta.url).pathname }).catch((err: unknown) => {
    // Without it the app still works online (and under Vite's dev server there is no sw.js).
    console.warn('Parley: the offline app shell is unavailable:', err);
  });
}
