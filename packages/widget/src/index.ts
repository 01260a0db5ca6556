/**
 * The widget's entry, built into dist/widget.js: defines <parley-chat> and the `Parley` JS API.
 * Yjs and @parley/core load in a second chunk when the first session starts, so the launcher
 * paints before any of that code is fetched.
 */
import { ParleyChat, type MessageEventDetail, type StoreConnector } from './parley-chat.js';
import { installPushOffer, type PushHook } from './push/install.js';

const connectCore: StoreConnector = async (opts) => (await import('./store/connect.js')).connectCoreStore(opts);

/** <parley-chat> wired to the relay through @parley/core. */
export class ParleyChatElement extends ParleyChat {
  constructor() {
    super();
    this.connector ??= connectCore;
    // The relay serves this script, so by default the widget talks to where it came from.
    this.relay ||= new URL(import.meta.url).origin;
  }

  private pushHook: PushHook | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // Web Push: "notify me when they reply" after the first agent reply, opening the conversation a
    // notification was about, and the menu's "turn off notifications" (push/install.ts).
    this.pushHook ??= installPushOffer(this);
    this.notifications ??= this.pushHook.notifications;
  }

  /** Offers Web Push now (e.g. from the host's own menu), even if the customer declined it before. */
  enablePush(): void {
    this.pushHook?.enablePush();
  }
}

if (!customElements.get('parley-chat')) customElements.define('parley-chat', ParleyChatElement);

export interface InitOptions {
  workspace: string;
  /** The relay's origin; defaults to where widget.js was loaded from. */
  relay?: string;
  locale?: string;
  /** A token the host site signed for its logged-in user. */
  token?: string;
  /** Where to put the element; defaults to document.body. */
  container?: HTMLElement;
}

export interface ParleyApi {
  element: ParleyChat;
  identify(token: string): void;
  open(): void;
  close(): void;
  /** Opens the panel on this customer's conversation `id` (e.g. from your own notification). */
  openConversation(id: string): void;
  setLocale(locale: string): void;
  /** New messages from the support side. Returns the unsubscribe function. */
  on(event: 'message', listener: (detail: MessageEventDetail) => void): () => void;
  /** Offers "notify me when they reply" (Web Push) now; see the README's Web Push section. */
  enablePush(): void;
}

/** Puts a widget on the page (or adopts the one already there) and returns its handle. */
export function init(options: InitOptions): ParleyApi {
  const container = options.container ?? document.body;
  const element = container.querySelector('parley-chat') ?? document.createElement('parley-chat');
  element.workspace = options.workspace;
  if (options.relay) element.relay = options.relay;
  if (options.locale) element.locale = options.locale;
  if (options.token) element.identify(options.token);
  if (!element.isConnected) container.append(element);
  return {
    element,
    identify: (token) => element.identify(token),
    open: () => element.show(),
    close: () => element.hide(),
    openConversation: (id) => element.openConversation(id),
    setLocale: (locale) => element.setLocale(locale),
    enablePush: () => (element as Partial<ParleyChatElement>).enablePush?.(),
    on(_event, listener) {
      const handler = (e: Event): void => listener((e as CustomEvent<MessageEventDetail>).detail);
      element.addEventListener('parley-message', handler);
      return () => element.removeEventListener('parley-message', handler);
    },
  };
}

export type { MessageEventDetail };
export { ParleyChat };

declare global {
  interface Window {
    Parley?: { init: typeof init };
  }
}
// The script-tag build has no importer, so the API is also reachable as window.Parley.
window.Parley = { init };
