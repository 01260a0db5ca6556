import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Gets the customer's attention when an agent replies while they look elsewhere: prefixes the page
 * title with the unread count and shows a Notification when the page is hidden and permission was
 * granted. Restores the title as soon as the customer is back.
 */
export class AttentionController implements ReactiveController {
  private originalTitle: string | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly titleWithCount: (n: number, title: string) => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisible);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisible);
    this.clear();
  }

  /** The page is not being looked at, or the panel is closed. */
  away(panelOpen: boolean): boolean {
    return document.visibilityState === 'hidden' || !panelOpen;
  }

  signal(unread: number, notification?: { title: string; body: string }): void {
    if (unread <= 0) return this.clear();
    this.originalTitle ??= document.title;
    document.title = this.titleWithCount(unread, this.originalTitle);
    if (notification && document.visibilityState === 'hidden' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification(notification.title, { body: notification.body, tag: 'parley' });
    }
  }

  clear(): void {
    if (this.originalTitle !== undefined) document.title = this.originalTitle;
    this.originalTitle = undefined;
  }

  private onVisible = (): void => {
    if (document.visibilityState === 'visible') this.clear();
  };
}
