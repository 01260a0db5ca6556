/**
 * Web Push's footprint in the entry: the few lines that must run on every page load, and nothing
 * else. They open the conversation a notification was about (from its URL fragment, or from the
 * service worker's message when a tab is already open), offer push after the first reply from the
 * support side, and give the chat element its "turn off notifications" control. The offer card
 * (offer.ts) and the subscribe code (subscribe.ts) are lazy chunks.
 */
import type { NotificationControl } from '../parley-chat.js';
import { pushAvailability, readChoice, readToken, writeChoice } from './choice.js';
import type { ParleyPushOffer } from './offer.js';

/** What push needs from <parley-chat> (its public surface only). */
export interface ChatHost extends HTMLElement {
  workspace: string;
  relay: string;
  locale: string | undefined;
  position: 'right' | 'left';
  show(): void;
  openConversation(id: string): void;
}

export interface PushHook {
  /** Shows the offer now (e.g. from the host's own menu), even if the customer declined before. */
  enablePush(): void;
  /** For the chat element's menu. */
  notifications: NotificationControl;
  /** The offer card once it was loaded (tests and hosts that restyle it). */
  readonly offer: Promise<ParleyPushOffer>;
}

/** The fragment the relay's notifier puts in a notification's URL (see sync-server's push notifier). */
export const HASH_PARAM = 'parley-conversation';
/** What the service worker posts to an open tab when its notification is clicked (see sw.ts). */
export const OPEN_MESSAGE = 'parley-open-conversation';

export function installPushOffer(chat: ChatHost, options: { serviceWorkerUrl?: string } = {}): PushHook {
  let card: Promise<ParleyPushOffer> | undefined;
  const loadCard = (): Promise<ParleyPushOffer> =>
    (card ??= import('./offer.js').then(() => {
      const offer = document.createElement('parley-push-offer');
      offer.chat = chat;
      if (options.serviceWorkerUrl) offer.serviceWorkerUrl = options.serviceWorkerUrl;
      document.body.append(offer);
      return offer;
    }));
  const offer = (force: boolean): void => {
    // Checked before loading anything: most pages never need the card's code.
    if (pushAvailability() !== 'available' || (!force && readChoice(chat.workspace))) return;
    void loadCard().then((o) => o.offer(force));
  };

  // After the first reply from the support side: the moment "notify me" means something.
  chat.addEventListener('parley-message', (e) => {
    const role = (e as CustomEvent<{ message?: { role?: string } }>).detail?.message?.role;
    if (role && role !== 'customer') offer(false);
  });

  const id = typeof location === 'undefined' ? null : new URLSearchParams(location.hash.slice(1)).get(HASH_PARAM);
  if (id !== null) {
    // Opened from a notification: show that conversation and keep the fragment out of history.
    history.replaceState(history.state, '', location.href.split('#')[0]);
    if (id) chat.openConversation(id);
    else chat.show();
  }
  if (typeof navigator !== 'undefined' && 'serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as { type?: unknown; conversationId?: unknown } | null;
      if (data?.type !== OPEN_MESSAGE) return;
      if (typeof data.conversationId === 'string' && data.conversationId) chat.openConversation(data.conversationId);
      else chat.show();
    });
  }

  const notifications: NotificationControl = {
    enabled: () => pushAvailability() === 'available' && Notification.permission === 'granted' && readChoice(chat.workspace) === 'enabled',
    async turnOff() {
      // Recorded first: whatever the network does next, the offer does not come back by itself.
      writeChoice(chat.workspace, 'declined');
      const token = readToken(chat.workspace);
      const { unsubscribeFromPush } = await import('./subscribe.js');
      if (token) await unsubscribeFromPush({ relay: chat.relay, token, ...(options.serviceWorkerUrl ? { serviceWorkerUrl: options.serviceWorkerUrl } : {}) });
    },
  };

  return {
    enablePush: () => offer(true),
    notifications,
    get offer() {
      return loadCard();
    },
  };
}
