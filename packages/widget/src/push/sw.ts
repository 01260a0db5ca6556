/**
 * Parley's service worker, built to dist/parley-sw.js. It shows the notification a Web Push from
 * the relay carries (agent name, preview) and, on click, focuses a tab of the site (asking the
 * widget there to open the conversation) or opens the conversation's URL.
 *
 * A service worker must come from the page's own origin, so the host site serves this file itself
 * (copied from the relay's /parley-sw.js, or a one-line `importScripts('https://relay/parley-sw.js')`).
 * It is a classic script with no imports, so it works either way.
 */

// The DOM lib is what the widget compiles against; the few worker types used here are declared.
interface PushPayloadShape {
  conversationId: string;
  agentName: string;
  preview: string;
  url: string;
  tag: string;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  data: { json(): unknown } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  notification: Notification;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<WindowClientLike>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  registration: { showNotification(title: string, options: NotificationOptions & { renotify?: boolean }): Promise<void> };
  clients: { matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>; openWindow(url: string): Promise<unknown> };
  location: Location;
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  skipWaiting(): Promise<void>;
}

const scope = self as unknown as WorkerScope & { clients: { claim(): Promise<void> } };

/** The message the widget listens for (push/install.ts) to open the conversation. */
const OPEN_MESSAGE = 'parley-open-conversation';

function readPayload(event: PushEventLike): PushPayloadShape | null {
  try {
    const value = event.data?.json() as Partial<PushPayloadShape> | undefined;
    if (!value || typeof value.conversationId !== 'string') return null;
    return {
      conversationId: value.conversationId,
      agentName: typeof value.agentName === 'string' && value.agentName ? value.agentName : 'Support',
      preview: typeof value.preview === 'string' ? value.preview : '',
      url: typeof value.url === 'string' ? value.url : '/',
      tag: typeof value.tag === 'string' ? value.tag : `parley:${value.conversationId}`,
    };
  } catch {
    return null;
  }
}

// A new version takes over at once: it holds no state worth waiting for.
scope.addEventListener('install', () => void scope.skipWaiting());
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('push', (event) => {
  const payload = readPayload(event);
  // Browsers require a visible notification for every push (userVisibleOnly); show a plain one if unreadable.
  const title = payload?.agentName ?? 'New reply';
  event.waitUntil(
    scope.registration.showNotification(title, {
      body: payload?.preview ?? '',
      tag: payload?.tag ?? 'parley',
      renotify: true,
      data: payload,
    }),
  );
});

scope.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const payload = event.notification.data as PushPayloadShape | null;
  const target = new URL(payload?.url ?? '/', scope.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // Prefer the very page, then any page of the site: the widget there opens the conversation.
      const same = windows.find((w) => w.url.split('#')[0] === target.href.split('#')[0]) ?? windows.find((w) => new URL(w.url).origin === target.origin);
      if (same) {
        // The message first: focus() is refused when the browser sees no user gesture, and the
        // panel should open anyway, ready for when the customer switches to the tab.
        same.postMessage({ type: OPEN_MESSAGE, conversationId: payload?.conversationId ?? null });
        await same.focus().catch(() => undefined);
        return;
      }
      await scope.clients.openWindow(target.href);
    })(),
  );
});

// A module for TypeScript (no globals leak into the widget's type space); the built file has no export.
export {};
