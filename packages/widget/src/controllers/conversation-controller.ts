import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatStore, ConversationHandle } from '../store/chat-store.js';
import type { ConversationView } from '../model.js';

/**
 * The conversation on screen. Holds exactly one open handle; switching conversations or leaving
 * the page releases it, so the store can stop following documents nobody looks at.
 */
export class ConversationController implements ReactiveController {
  private handle: ConversationHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private listeners = new Set<(view: ConversationView) => void>();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get id(): string | undefined {
    return this.handle?.get().id;
  }

  get view(): ConversationView | undefined {
    return this.handle?.get();
  }

  get actions(): ConversationHandle | undefined {
    return this.handle;
  }

  /** Called after every change, e.g. to announce new messages or mark them read. */
  onChange(listener: (view: ConversationView) => void): void {
    this.listeners.add(listener);
  }

  show(store: ChatStore | undefined, conversationId: string | undefined): void {
    if (this.handle && this.handle.get().id === conversationId) return;
    this.drop();
    if (store && conversationId) {
      this.handle = store.open(conversationId);
      this.listen();
    }
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.listen();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private listen(): void {
    const handle = this.handle;
    if (!handle || this.unsubscribe) return;
    this.unsubscribe = handle.subscribe(() => {
      this.host.requestUpdate();
      for (const l of this.listeners) l(handle.get());
    });
  }

  private drop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.handle?.release();
    this.handle = undefined;
  }
}
