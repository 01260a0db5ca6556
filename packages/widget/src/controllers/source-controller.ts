import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Source } from '../store/chat-store.js';

/**
 * Follows one Source for a host element: subscribes while the host is connected, re-renders it on
 * every change, and unsubscribes when it leaves the page. `rebind` follows a different source
 * (e.g. once the session, and so the store, exists).
 */
export class SourceController<T> implements ReactiveController {
  private source: Source<T> | undefined;
  private unsubscribe: (() => void) | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fallback: T,
  ) {
    host.addController(this);
  }

  get value(): T {
    return this.source ? this.source.get() : this.fallback;
  }

  rebind(source: Source<T> | undefined): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.source = source;
    if (this.connected) this.listen();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.connected = true;
    this.listen();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private listen(): void {
    if (!this.source || this.unsubscribe) return;
    this.unsubscribe = this.source.subscribe(() => this.host.requestUpdate());
  }
}
